// SPDX-License-Identifier: Apache-2.0
// pg_stat_database and pg_stat_database_conflicts, one row per database (cumulative
// counters: analysis turns them into rates between two snapshots).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.h"

namespace pgvigil::model {

struct DatabaseStats {
  std::uint32_t datid = 0;
  std::string datname;
  std::int64_t numbackends = 0;
  std::int64_t xact_commit = 0;
  std::int64_t xact_rollback = 0;
  std::int64_t blks_read = 0;
  std::int64_t blks_hit = 0;
  std::int64_t tup_returned = 0;
  std::int64_t tup_fetched = 0;
  std::int64_t tup_inserted = 0;
  std::int64_t tup_updated = 0;
  std::int64_t tup_deleted = 0;
  std::int64_t conflicts = 0;
  std::int64_t temp_files = 0;
  std::int64_t temp_bytes = 0;
  std::int64_t deadlocks = 0;
  std::optional<std::int64_t> checksum_failures;  // NULL when data checksums are off
  std::optional<common::Timestamp> checksum_last_failure;
  double blk_read_time = 0;   // ms
  double blk_write_time = 0;  // ms
  std::optional<double> session_time;                // ms, PostgreSQL 14+
  std::optional<double> active_time;                 // ms, 14+
  std::optional<double> idle_in_transaction_time;    // ms, 14+
  std::optional<std::int64_t> sessions;              // 14+
  std::optional<std::int64_t> sessions_abandoned;    // 14+
  std::optional<std::int64_t> sessions_fatal;        // 14+
  std::optional<std::int64_t> sessions_killed;       // 14+
  std::optional<common::Timestamp> stats_reset;
  // pg_stat_database_conflicts (non-zero only on standbys)
  std::int64_t confl_tablespace = 0;
  std::int64_t confl_lock = 0;
  std::int64_t confl_snapshot = 0;
  std::int64_t confl_bufferpin = 0;
  std::int64_t confl_deadlock = 0;
  std::optional<std::int64_t> confl_active_logicalslot;  // 16+
};

}  // namespace pgvigil::model
