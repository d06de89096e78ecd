// SPDX-License-Identifier: Apache-2.0
// The server's background writers: checkpointer and bgwriter in one stable shape across the
// PostgreSQL 17 split (pg_stat_bgwriter → pg_stat_checkpointer + pg_stat_bgwriter), WAL
// generation (pg_stat_wal, 14+, and the current WAL position), and the archiver.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.h"

namespace pgvigil::model {

struct CheckpointerStats {
  std::int64_t checkpoints_timed = 0;  // 17+: pg_stat_checkpointer.num_timed
  std::int64_t checkpoints_req = 0;    // 17+: num_requested
  // 18+: num_done. Timed and requested checkpoints include skipped ones (an idle server);
  // this counts those performed.
  std::optional<std::int64_t> checkpoints_done;
  double checkpoint_write_time = 0;    // ms; 17+: write_time
  double checkpoint_sync_time = 0;     // ms; 17+: sync_time
  std::int64_t buffers_checkpoint = 0;  // 17+: buffers_written
  std::int64_t buffers_clean = 0;
  std::int64_t maxwritten_clean = 0;
  std::int64_t buffers_alloc = 0;
  std::optional<std::int64_t> buffers_backend;        // up to 16 (moved to pg_stat_io)
  std::optional<std::int64_t> buffers_backend_fsync;  // up to 16
  std::optional<std::int64_t> restartpoints_timed;    // 17+
  std::optional<std::int64_t> restartpoints_req;      // 17+
  std::optional<std::int64_t> restartpoints_done;     // 17+
  std::optional<common::Timestamp> checkpointer_stats_reset;
  std::optional<common::Timestamp> bgwriter_stats_reset;
};

struct WalStats {
  std::optional<std::int64_t> wal_lsn_bytes;  // pg_current_wal_lsn() (primary) or receive LSN
  std::optional<std::int64_t> wal_records;       // pg_stat_wal, 14+
  std::optional<std::int64_t> wal_fpi;
  std::optional<std::int64_t> wal_bytes;
  std::optional<std::int64_t> wal_buffers_full;
  std::optional<std::int64_t> wal_write;         // 14–17
  std::optional<std::int64_t> wal_sync;          // 14–17
  std::optional<double> wal_write_time;          // ms, 14–17
  std::optional<double> wal_sync_time;           // ms, 14–17
  std::optional<common::Timestamp> stats_reset;
};

struct ArchiverStats {
  std::int64_t archived_count = 0;
  std::string last_archived_wal;
  std::optional<common::Timestamp> last_archived_time;
  std::int64_t failed_count = 0;
  std::string last_failed_wal;
  std::optional<common::Timestamp> last_failed_time;
  std::optional<common::Timestamp> stats_reset;
};

}  // namespace pgvigil::model
