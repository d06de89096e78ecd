// SPDX-License-Identifier: Apache-2.0
// pg_stat_user_indexes + pg_statio_user_indexes + pg_index, one row per user index, with the
// parts of its definition that duplicate and redundancy detection compare.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"

namespace pgvigil::model {

struct IndexStats {
  std::string datname;
  std::uint32_t relid = 0;
  std::uint32_t indexrelid = 0;
  std::string schemaname;
  std::string relname;
  std::string indexrelname;
  std::int64_t idx_scan = 0;
  std::int64_t idx_tup_read = 0;
  std::int64_t idx_tup_fetch = 0;
  std::optional<common::Timestamp> last_idx_scan;  // 16+
  std::optional<std::int64_t> idx_blks_read;
  std::optional<std::int64_t> idx_blks_hit;
  double reltuples = 0;
  std::int64_t relpages = 0;
  std::int64_t estimated_size_bytes = 0;  // relpages × block_size
  std::string access_method;  // "btree", "gin", …
  bool indisunique = false;
  bool indisprimary = false;
  bool indisexclusion = false;
  bool indimmediate = true;
  bool indisvalid = true;
  bool indisready = true;
  bool indislive = true;
  int indnkeyatts = 0;  // key columns; the rest of key_columns are INCLUDE columns
  // One entry per index column: the column name, or the expression's text.
  std::vector<std::string> key_columns;
  std::vector<std::string> opclasses;    // per key column
  std::vector<std::string> collations;   // per key column; empty string for none/default
  std::vector<int> indoption;            // per key column: 1 DESC, 2 NULLS FIRST
  std::string predicate;                 // WHERE of a partial index, else empty
  std::string constraint_name;           // the constraint it backs, else empty
  std::string constraint_type;           // "p" primary key, "u" unique, "x" exclusion, else empty
};

}  // namespace pgvigil::model
