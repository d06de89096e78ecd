// SPDX-License-Identifier: Apache-2.0
// LibpqSession: a Session over one libpq connection in non-blocking mode. Every wait is a
// poll() bounded by a deadline, so a server that stops answering (a half-open TCP peer) costs
// at most the configured timeout. Queries are prepared once per connection and executed by
// name, so the server plans each only once. A monitoring session sets statement_timeout, lock_timeout,
// default_transaction_read_only and application_name = 'pgvigil' before its first query.
// Not thread-safe. Owns its PGconn.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "pg/session.h"

struct pg_conn;  // libpq's PGconn

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

class LibpqSession final : public Session {
 public:
  // Connects, applies the session settings and reads ServerInfo, within connect_timeout plus
  // io_timeout. Errors are one line, with the DSN's password redacted: kUnavailable
  // (unreachable, refused), kPermissionDenied (authentication), kNotFound (no such database),
  // kInvalidArgument (malformed DSN), kTimeout.
  static common::Result<std::unique_ptr<LibpqSession>> Connect(const SessionOptions& options);

  ~LibpqSession() override;
  LibpqSession(const LibpqSession&) = delete;
  LibpqSession& operator=(const LibpqSession&) = delete;

  const ServerInfo& server_info() const override { return server_info_; }
  std::vector<QueryOutcome> RunPipeline(std::span<const Query> queries) override;
  common::Result<ResultSet> RunSimple(std::string_view sql) override;
  bool is_connected() const override;

  // Time the connection took to establish (TCP, TLS, authentication) and the round trip of the
  // set-up query: the figures behind target.latency.
  std::chrono::microseconds connect_duration() const { return connect_duration_; }
  std::chrono::microseconds setup_round_trip() const { return setup_round_trip_; }
  int backend_pid() const;

 private:
  struct ConnDeleter {
    void operator()(pg_conn* c) const;
  };
  LibpqSession(std::unique_ptr<pg_conn, ConnDeleter> conn, SessionOptions options,
               std::vector<std::string> secrets);

  common::Status Setup();
  // Waits until the socket is readable (and writable when `want_write`) or the deadline
  // passes; kTimeout then.
  common::Status Wait(bool want_write, std::chrono::steady_clock::time_point deadline);
  // Sends buffered output and reads input until libpq can hand out a result without
  // blocking. Resets the inactivity deadline whenever bytes arrive.
  common::Status WaitUntilNotBusy();
  // Gives up the connection (after a timeout or a protocol error): asks the server to cancel
  // what is running, then closes.
  void Abandon();
  common::Status ConnectionError(std::string_view context) const;
  std::string Redact(std::string_view text) const;

  std::unique_ptr<pg_conn, ConnDeleter> conn_;
  SessionOptions options_;
  std::vector<std::string> secrets_;  // passwords to scrub from any message
  ServerInfo server_info_;
  std::chrono::microseconds connect_duration_{0};
  std::chrono::microseconds setup_round_trip_{0};
  // SQL text → name of the server-side prepared statement on this connection.
  std::map<std::string, std::string, std::less<>> prepared_;
  int prepare_counter_ = 0;
};

// The StatusCode for a PostgreSQL SQLSTATE: 57014/55P03 → kTimeout, class 28 and 42501 →
// kPermissionDenied, 42P01/42883/42703/0A000/55000 → kUnsupported, 3D000 → kNotFound, class 08 and
// 57P0x → kUnavailable, anything else kInternal.
common::StatusCode StatusCodeForSqlState(std::string_view sqlstate);

}  // namespace pgvigil::pg
