// SPDX-License-Identifier: Apache-2.0
// PgBouncer's admin console: SHOW POOLS (clients and servers per pool, now) and SHOW STATS
// (cumulative traffic per database). Columns missing in older PgBouncer versions stay empty.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace pgvigil::model {

struct PgBouncerPool {
  std::string database;
  std::string user;
  std::int64_t cl_active = 0;
  std::int64_t cl_waiting = 0;
  std::int64_t sv_active = 0;
  std::int64_t sv_idle = 0;
  std::int64_t sv_used = 0;
  std::int64_t sv_tested = 0;
  std::int64_t sv_login = 0;
  double maxwait_seconds = 0;  // maxwait + maxwait_us: the oldest waiting client's wait
  std::string pool_mode;
};

struct PgBouncerStats {
  std::string database;
  std::int64_t total_xact_count = 0;
  std::int64_t total_query_count = 0;
  std::int64_t total_received = 0;
  std::int64_t total_sent = 0;
  std::int64_t total_xact_time = 0;   // µs
  std::int64_t total_query_time = 0;  // µs
  std::int64_t total_wait_time = 0;   // µs
};

}  // namespace pgvigil::model
