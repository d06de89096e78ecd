// SPDX-License-Identifier: Apache-2.0
// Schema migrations of the SQLite store: numbered SQL files (migrations/0001_init.sql, …)
// embedded at build time. Each is applied once, in order, in its own transaction, and
// recorded in schema_migrations(version, name, checksum, applied_at). An applied migration is
// never edited: a changed file (its checksum differs from the recorded one) or a database
// newer than this binary refuses to open. Thread-compatible (it works on the connection given).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/embedded_file.h"
#include "common/result.h"
#include "store/sqlite_db.h"

namespace pgvigil::store {

struct Migration {
  int version = 0;   // from the file name: "0002_rollups.sql" → 2
  std::string name;  // "0002_rollups.sql"
  std::string sql;
  std::string checksum;  // FNV-1a 64 of the file's bytes, 16 hex digits
};

// The migrations built into this binary (migrations/*.sql), by version.
std::span<const Migration> BuiltinMigrations();

// Parses embedded files into migrations sorted by version. kInternal when a name does not
// start with a number, or the versions are not 1, 2, 3, … without gaps or repeats.
common::Result<std::vector<Migration>> ParseMigrations(std::span<const common::EmbeddedFile> files);

// FNV-1a 64-bit of `text` as 16 lowercase hex digits. Detects edits, not attacks.
std::string MigrationChecksum(std::string_view text);

// Applies the pending `migrations` to `db` (creating schema_migrations when missing), each in
// its own transaction. Refuses (kInternal) when an applied migration's checksum differs from
// `migrations`', and (kInvalidArgument) when the database holds a version `migrations` does
// not know; both messages name the migration. Returns how many were applied.
common::Result<int> ApplyMigrations(SqliteDb& db, std::span<const Migration> migrations,
                                    common::Timestamp now);

}  // namespace pgvigil::store
