// SPDX-License-Identifier: Apache-2.0
// AsyncSession: one libpq connection in non-blocking mode, driven by a Boost.Asio event loop
// with C++20 coroutines, so that one loop can serve many targets and a down, slow or half-open
// one delays no other (DESIGN.md §3). Every wait is a co_await on the libpq socket bounded by a
// deadline on the loop; a host name is resolved with the loop's resolver and passed to libpq as
// `hostaddr`, because PQconnectPoll would resolve it synchronously.
//
// The protocol is LibpqSession's (which is a blocking wrapper over this class): queries are
// prepared once per connection and executed by name in pipeline mode, with a sync point after
// each; a monitoring session sets statement_timeout, lock_timeout, read-only, jit = off and
// application_name = 'pgvigil', and reads ServerInfo, in one round trip at connect. Every
// message has the DSN's password redacted.
//
// Owns its PGconn. Not thread-safe: run one operation at a time, on an executor that does not
// run this session's handlers concurrently (a single-threaded io_context, or a strand). The
// session must outlive the coroutine of each of its operations.
#pragma once

#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "pg/server_info.h"
#include "pg/session.h"
#include "pg/session_options.h"
#include "pg/sql_state.h"

struct pg_conn;  // libpq's PGconn

namespace pgvigil::pg {

class AsyncSession {
 public:
  template <typename T>
  using Awaitable = boost::asio::awaitable<T>;
  using Clock = std::chrono::steady_clock;

  // Resolves the host name (if any), connects, applies the session settings and reads
  // ServerInfo, within connect_timeout plus io_timeout. Errors are one line, with the DSN's
  // password redacted: kUnavailable (unreachable, refused, unknown host), kPermissionDenied
  // (authentication), kNotFound (no such database), kInvalidArgument (malformed DSN), kTimeout.
  static Awaitable<common::Result<std::unique_ptr<AsyncSession>>> Connect(
      boost::asio::any_io_executor executor, SessionOptions options);

  ~AsyncSession();
  AsyncSession(const AsyncSession&) = delete;
  AsyncSession& operator=(const AsyncSession&) = delete;

  const ServerInfo& server_info() const { return server_info_; }

  // Sends every query in one round trip with a sync point after each, so an error aborts only
  // its own query; one outcome per query, in order. A lost connection or a passed deadline
  // (io_timeout without a byte from the server) fails the queries not yet answered and gives
  // the connection up (is_connected() is false from then on).
  //
  // `on_answered`, when given, is called once per query, in order, as soon as its outcome is
  // complete (a failed one included) and before the next query's rows are read: it may take
  // the rows (move them out), so that a pipeline of large results holds one at a time. The
  // returned outcomes keep their status and elapsed time either way.
  Awaitable<std::vector<QueryOutcome>> RunPipeline(std::vector<Query> queries,
                                                   OutcomeSink on_answered = {});

  // One statement over the simple query protocol (PgBouncer's admin console speaks nothing
  // else). The last result, or the first error.
  Awaitable<common::Result<ResultSet>> RunSimple(std::string sql);

  // False once the connection is lost or given up; the owner then makes a new session.
  bool is_connected() const;

  // Time the connection took to establish (name resolution, TCP, TLS, authentication) and the
  // round trip of the set-up query: the figures behind target.latency.
  std::chrono::microseconds connect_duration() const { return connect_duration_; }
  std::chrono::microseconds setup_round_trip() const { return setup_round_trip_; }
  int backend_pid() const;

 private:
  struct ConnDeleter {
    void operator()(pg_conn* c) const;
  };
  AsyncSession(boost::asio::any_io_executor executor, SessionOptions options,
               std::vector<std::string> secrets);

  // PQconnectPoll until the connection is made or connect_timeout passes.
  Awaitable<common::Status> Establish(Clock::time_point deadline);
  Awaitable<common::Status> Setup();
  // (Re)wraps PQsocket() in socket_ (without taking ownership). During connect libpq may close
  // its socket and open another, possibly under the same number, so Establish rewraps after
  // every step.
  common::Status WrapSocket();
  // Waits until the socket is readable (or writable, when `write`) or `deadline` passes
  // (kTimeout).
  Awaitable<common::Status> Wait(bool read, bool write, Clock::time_point deadline);
  // Sends buffered output and reads input until libpq can hand out a result without blocking.
  // Resets the inactivity deadline whenever the socket becomes ready.
  Awaitable<common::Status> WaitUntilNotBusy();
  // Gives up the connection (after a timeout or a protocol error): asks the server to cancel
  // what is running, then closes.
  void Abandon();
  void ReleaseSocket();
  common::Status ConnectionError(std::string_view context) const;
  std::string Redact(std::string_view text) const;

  boost::asio::any_io_executor executor_;
  SessionOptions options_;
  std::vector<std::string> secrets_;  // passwords to scrub from any message
  std::unique_ptr<pg_conn, ConnDeleter> conn_;
  // libpq's socket, seen by the loop. Never owns the descriptor: released before PQfinish.
  std::optional<boost::asio::posix::stream_descriptor> socket_;
  boost::asio::steady_timer timer_;
  ServerInfo server_info_;
  std::chrono::microseconds connect_duration_{0};
  std::chrono::microseconds setup_round_trip_{0};
  // SQL text → name of the server-side prepared statement on this connection.
  std::map<std::string, std::string, std::less<>> prepared_;
  int prepare_counter_ = 0;
};

}  // namespace pgvigil::pg
