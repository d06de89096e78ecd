// SPDX-License-Identifier: Apache-2.0
#include "store/migrations.h"

#include <algorithm>
#include <cctype>
#include <map>

#include <fmt/format.h>

namespace pgvigil::store {

std::span<const common::EmbeddedFile> StoreMigrationFiles();  // generated (EmbedFiles.cmake)

namespace {

std::int64_t Micros(common::Timestamp t) { return t.time_since_epoch().count(); }

}  // namespace

std::string MigrationChecksum(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return fmt::format("{:016x}", hash);
}

common::Result<std::vector<Migration>> ParseMigrations(
    std::span<const common::EmbeddedFile> files) {
  std::vector<Migration> out;
  for (const common::EmbeddedFile& f : files) {
    size_t digits = 0;
    while (digits < f.name.size() && std::isdigit(static_cast<unsigned char>(f.name[digits]))) {
      ++digits;
    }
    if (digits == 0 || digits > 6) {
      return common::InternalError(
          fmt::format("store migration {}: the name must start with its number", f.name));
    }
    Migration m;
    m.version = std::stoi(std::string(f.name.substr(0, digits)));
    m.name = std::string(f.name);
    m.sql = std::string(f.contents);
    m.checksum = MigrationChecksum(f.contents);
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].version != static_cast<int>(i) + 1) {
      return common::InternalError(fmt::format(
          "store migration {}: expected number {} (migrations are 1, 2, 3, … without gaps)",
          out[i].name, i + 1));
    }
  }
  return out;
}

std::span<const Migration> BuiltinMigrations() {
  static const std::vector<Migration> migrations = [] {
    auto parsed = ParseMigrations(StoreMigrationFiles());
    // The files are part of the source tree: a bad name is a bug caught by the unit tests.
    if (!parsed.has_value()) std::abort();
    return std::move(*parsed);
  }();
  return migrations;
}

namespace {

struct Applied {
  std::string name;
  std::string checksum;
};

common::Result<std::map<int, Applied>> ReadApplied(SqliteDb& db) {
  std::map<int, Applied> out;
  PGV_ASSIGN_OR_RETURN(SqliteStatement q,
                       db.Prepare("SELECT version, name, checksum FROM schema_migrations"));
  while (true) {
    PGV_ASSIGN_OR_RETURN(const bool row, q.Step());
    if (!row) break;
    out[static_cast<int>(q.ColumnInt64(0))] = {q.ColumnText(1), q.ColumnText(2)};
  }
  return out;
}

common::Status Verify(const std::map<int, Applied>& applied, std::span<const Migration> migrations,
                      const std::string& path) {
  for (const auto& [version, a] : applied) {
    if (version > static_cast<int>(migrations.size()) || version < 1) {
      return common::InvalidArgumentError(fmt::format(
          "store {}: schema migration {} ({}) is newer than this pgvigil knows (up to {}); run "
          "the pgvigil that wrote it, or a newer one",
          path, version, a.name, migrations.size()));
    }
    const Migration& m = migrations[static_cast<size_t>(version) - 1];
    if (m.checksum != a.checksum) {
      return common::InternalError(fmt::format(
          "store {}: migration {} was changed after it was applied (checksum {} in the database, "
          "{} in this binary); never edit an applied migration, add a new one",
          path, m.name, a.checksum, m.checksum));
    }
  }
  return common::Status::Ok();
}

}  // namespace

common::Result<int> ApplyMigrations(SqliteDb& db, std::span<const Migration> migrations,
                                    common::Timestamp now) {
  PGV_RETURN_IF_ERROR(
      db.Exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
              "version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, "
              "applied_at INTEGER NOT NULL)"));
  PGV_ASSIGN_OR_RETURN(auto applied, ReadApplied(db));
  PGV_RETURN_IF_ERROR(Verify(applied, migrations, db.path()));
  int count = 0;
  for (const Migration& m : migrations) {
    if (applied.contains(m.version)) continue;
    PGV_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
    // Another process may have applied it while we waited for the write lock.
    PGV_ASSIGN_OR_RETURN(auto again, ReadApplied(db));
    if (again.contains(m.version)) {
      PGV_RETURN_IF_ERROR(Verify(again, migrations, db.path()));
      continue;
    }
    if (const common::Status s = db.Exec(m.sql); !s.ok()) {
      return s.WithContext(fmt::format("store migration {}", m.name));
    }
    PGV_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        db.Prepare("INSERT INTO schema_migrations (version, name, checksum, applied_at) "
                   "VALUES (?1, ?2, ?3, ?4)"));
    PGV_RETURN_IF_ERROR(insert.BindInt64(1, m.version));
    PGV_RETURN_IF_ERROR(insert.BindText(2, m.name));
    PGV_RETURN_IF_ERROR(insert.BindText(3, m.checksum));
    PGV_RETURN_IF_ERROR(insert.BindInt64(4, Micros(now)));
    PGV_RETURN_IF_ERROR(insert.Run());
    PGV_RETURN_IF_ERROR(tx.Commit());
    ++count;
  }
  return count;
}

}  // namespace pgvigil::store
