// SPDX-License-Identifier: Apache-2.0
// How to open a session (AsyncSession, LibpqSession): the DSN, the kind of peer and the
// timeouts that bound every wait. Plain data.
#pragma once

#include <chrono>
#include <string>
#include <utility>

namespace pgvigil::pg {

enum class SessionKind {
  kMonitoring,      // a PostgreSQL database: session settings applied, server detected
  kPgBouncerAdmin,  // PgBouncer's admin console: SHOW commands only, simple protocol
  // A session that changes the database (maintenance/): settings applied and server detected
  // as for kMonitoring, but NOT default_transaction_read_only. Its statement_timeout may be 0
  // (none: a VACUUM may take hours) and its io_timeout long (see MaintenanceSessionOptions).
  kMaintenance,
};

struct SessionOptions {
  std::string dsn;
  SessionKind kind = SessionKind::kMonitoring;
  std::string application_name = "pgvigil";
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds statement_timeout{5000};
  // Short, so that a query that would have to wait for a lock fails instead of queueing in
  // front of the application's own queries.
  std::chrono::milliseconds lock_timeout{200};
  // How long a query may go without any byte from the server before the connection is given
  // up (the client-side bound for a half-open peer; statement_timeout is the server's).
  std::chrono::milliseconds io_timeout{10000};
};

// The options of a maintenance session: a VACUUM sends nothing back until it ends, so the
// client must not take a long silence for a dead peer. A dead peer is still noticed, by TCP
// keepalives (see AsyncSession::Connect), not by an io deadline.
inline SessionOptions MaintenanceSessionOptions(std::string dsn,
                                                std::chrono::milliseconds statement_timeout) {
  SessionOptions o;
  o.dsn = std::move(dsn);
  o.kind = SessionKind::kMaintenance;
  o.application_name = "pgvigil-maintenance";
  o.statement_timeout = statement_timeout;
  o.io_timeout = std::chrono::hours(24 * 7);
  return o;
}

}  // namespace pgvigil::pg
