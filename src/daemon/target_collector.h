// SPDX-License-Identifier: Apache-2.0
// A TargetCollector holds the monitoring session (and the PgBouncer admin session, if any) of
// one target and collects snapshots from it, reconnecting when a session was lost. Keeping the
// session between collections keeps the server's prepared statements and caches warm.
// Not thread-safe: one collection at a time.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "collect/collector.h"
#include "common/result.h"
#include "daemon/collect_once.h"
#include "model/snapshot.h"
#include "pg/libpq_session.h"

namespace pgvigil::daemon {

class TargetCollector {
 public:
  explicit TargetCollector(CollectOnceOptions options);

  // One snapshot of the tiers in options.tiers. The error when no connection could be made
  // (one line, password redacted); otherwise a snapshot whose outcomes say what failed.
  common::Result<model::Snapshot> Collect();

  // Runs `queries` in one pipeline on the monitoring session (connecting first if needed): for
  // on-demand reads beside the collectors' (`check --exact`). The error when no connection could
  // be made; otherwise one outcome per query.
  common::Result<std::vector<pg::QueryOutcome>> RunQueries(std::span<const pg::Query> queries);

  // What the session learned when it connected; null before the first connection.
  const pg::ServerInfo* server_info() const {
    return session_ == nullptr ? nullptr : &session_->server_info();
  }

 private:
  common::Status EnsureConnected();

  CollectOnceOptions options_;
  std::string description_;  // the DSN without secrets: "user@host:port/db"
  std::unique_ptr<pg::LibpqSession> session_;
};

}  // namespace pgvigil::daemon
