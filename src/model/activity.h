// SPDX-License-Identifier: Apache-2.0
// pg_stat_activity: one row per backend (client backends and background processes), with
// ages computed by the server against its own clock. pgvigil's own backends are included and
// marked by application_name = 'pgvigil' so analysis can leave them out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace pgvigil::model {

struct Backend {
  int pid = 0;
  std::optional<int> leader_pid;  // parallel workers point at their leader
  std::string datname;
  std::string usename;
  std::string application_name;
  std::string client_addr;  // empty for unix sockets and background processes
  std::string backend_type;  // "client backend", "autovacuum worker", "walsender", …
  std::string state;         // "active", "idle", "idle in transaction", …; empty for background
  std::string wait_event_type;
  std::string wait_event;
  std::optional<double> backend_age_seconds;  // now() - backend_start
  std::optional<double> xact_age_seconds;     // now() - xact_start
  std::optional<double> query_age_seconds;    // now() - query_start
  std::optional<double> state_age_seconds;    // now() - state_change
  std::optional<std::int64_t> backend_xid_age;   // age(backend_xid)
  std::optional<std::int64_t> backend_xmin_age;  // age(backend_xmin): holds back vacuum
  std::optional<std::int64_t> query_id;           // 14+, when compute_query_id is on
  std::string query;  // the current or last statement, cut at track_activity_query_size
};

}  // namespace pgvigil::model
