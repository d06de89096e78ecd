// SPDX-License-Identifier: Apache-2.0
// How to open a session (AsyncSession, LibpqSession): the DSN, the kind of peer and the
// timeouts that bound every wait. Plain data.
#pragma once

#include <chrono>
#include <string>

namespace pgvigil::pg {

enum class SessionKind {
  kMonitoring,      // a PostgreSQL database: session settings applied, server detected
  kPgBouncerAdmin,  // PgBouncer's admin console: SHOW commands only, simple protocol
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

}  // namespace pgvigil::pg
