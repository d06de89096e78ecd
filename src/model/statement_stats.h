// SPDX-License-Identifier: Apache-2.0
// pg_stat_statements, one row per (userid, dbid, queryid, toplevel). Cumulative counters:
// analysis derives per-interval figures between two snapshots. Column names are those of the
// newest extension version; older versions' columns are aliased to them in the SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.h"

namespace pgvigil::model {

struct StatementStats {
  std::uint32_t userid = 0;
  std::uint32_t dbid = 0;
  std::int64_t queryid = 0;
  std::string rolname;
  std::string datname;
  std::optional<bool> toplevel;  // 1.9+ (PostgreSQL 14)
  std::int64_t calls = 0;
  double total_exec_time = 0;  // ms
  double min_exec_time = 0;
  double max_exec_time = 0;
  double mean_exec_time = 0;
  double stddev_exec_time = 0;
  std::int64_t plans = 0;
  double total_plan_time = 0;  // ms; 0 unless pg_stat_statements.track_planning
  std::int64_t rows = 0;
  std::int64_t shared_blks_hit = 0;
  std::int64_t shared_blks_read = 0;
  std::int64_t shared_blks_dirtied = 0;
  std::int64_t shared_blks_written = 0;
  std::int64_t local_blks_hit = 0;
  std::int64_t local_blks_read = 0;
  std::int64_t temp_blks_read = 0;
  std::int64_t temp_blks_written = 0;
  double shared_blk_read_time = 0;   // ms; blk_read_time before 1.11 (PostgreSQL 17)
  double shared_blk_write_time = 0;  // ms; blk_write_time before 1.11
  std::optional<double> temp_blk_read_time;   // 1.10+
  std::optional<double> temp_blk_write_time;  // 1.10+
  std::int64_t wal_records = 0;
  std::int64_t wal_fpi = 0;
  std::int64_t wal_bytes = 0;
  std::optional<std::int64_t> jit_functions;  // 1.10+
  std::optional<double> jit_generation_time;  // 1.10+
  std::optional<common::Timestamp> stats_since;  // 1.11+
  // Fetched only for the statements that need it (see CollectorOptions.statement_text_limit).
  std::optional<std::string> query;
};

// pg_stat_statements_info (1.9+): when the statistics were reset and how many entries were
// evicted, which tells analysis whether per-interval figures are complete.
struct StatementsInfo {
  std::int64_t dealloc = 0;
  std::optional<common::Timestamp> stats_reset;
};

}  // namespace pgvigil::model
