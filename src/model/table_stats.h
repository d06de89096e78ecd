// SPDX-License-Identifier: Apache-2.0
// pg_stat_user_tables + pg_statio_user_tables + pg_class, one row per user table of the
// collected database. Sizes here come from pg_class.relpages (as of the last VACUUM/ANALYZE):
// no size function is called per table (see storage.h for measured sizes of the largest).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.h"

namespace pgvigil::model {

// Per-table autovacuum settings from pg_class.reloptions; absent means the global setting.
struct AutovacuumReloptions {
  std::optional<bool> autovacuum_enabled;
  std::optional<std::int64_t> autovacuum_vacuum_threshold;
  std::optional<double> autovacuum_vacuum_scale_factor;
  std::optional<std::int64_t> autovacuum_vacuum_max_threshold;  // 18+
  std::optional<std::int64_t> autovacuum_vacuum_insert_threshold;
  std::optional<double> autovacuum_vacuum_insert_scale_factor;
  std::optional<std::int64_t> autovacuum_analyze_threshold;
  std::optional<double> autovacuum_analyze_scale_factor;
  std::optional<std::int64_t> autovacuum_freeze_max_age;
  std::optional<std::int64_t> autovacuum_multixact_freeze_max_age;
};

struct TableStats {
  std::string datname;
  std::uint32_t relid = 0;
  std::string schemaname;
  std::string relname;
  std::string relkind;  // "r" table, "m" materialized view, "p" partitioned
  std::int64_t seq_scan = 0;
  std::int64_t seq_tup_read = 0;
  std::optional<std::int64_t> idx_scan;  // NULL when the table has no index
  std::optional<std::int64_t> idx_tup_fetch;
  std::int64_t n_tup_ins = 0;
  std::int64_t n_tup_upd = 0;
  std::int64_t n_tup_del = 0;
  std::int64_t n_tup_hot_upd = 0;
  std::optional<std::int64_t> n_tup_newpage_upd;  // 16+
  std::int64_t n_live_tup = 0;
  std::int64_t n_dead_tup = 0;
  std::int64_t n_mod_since_analyze = 0;
  std::int64_t n_ins_since_vacuum = 0;
  std::optional<common::Timestamp> last_seq_scan;  // 16+
  std::optional<common::Timestamp> last_idx_scan;  // 16+
  std::optional<common::Timestamp> last_vacuum;
  std::optional<common::Timestamp> last_autovacuum;
  std::optional<common::Timestamp> last_analyze;
  std::optional<common::Timestamp> last_autoanalyze;
  std::int64_t vacuum_count = 0;
  std::int64_t autovacuum_count = 0;
  std::int64_t analyze_count = 0;
  std::int64_t autoanalyze_count = 0;
  std::optional<double> total_vacuum_time;       // ms, 18+
  std::optional<double> total_autovacuum_time;   // ms, 18+
  std::optional<double> total_analyze_time;      // ms, 18+
  std::optional<double> total_autoanalyze_time;  // ms, 18+
  std::optional<std::int64_t> heap_blks_read;
  std::optional<std::int64_t> heap_blks_hit;
  std::optional<std::int64_t> idx_blks_read;
  std::optional<std::int64_t> idx_blks_hit;
  std::optional<std::int64_t> toast_blks_read;
  std::optional<std::int64_t> toast_blks_hit;
  double reltuples = 0;  // -1 when never vacuumed or analyzed (PostgreSQL 14+)
  std::int64_t relpages = 0;
  std::int64_t relallvisible = 0;
  std::int64_t estimated_size_bytes = 0;  // relpages × block_size, heap only (0 if relpages < 0)
  std::int64_t relfrozenxid_age = 0;      // age(relfrozenxid); 0 for a partitioned table
  std::int64_t relminmxid_age = 0;        // mxid_age(relminmxid); 0 for a partitioned table
  bool is_unlogged = false;
  AutovacuumReloptions reloptions;
};

}  // namespace pgvigil::model
