// SPDX-License-Identifier: Apache-2.0
#include "pg/async_session.h"

#include <libpq-fe.h>
#include <poll.h>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <system_error>
#include <thread>

#include "pg/dsn.h"
#include "pg/embedded_sql.h"
#include "pg/quote.h"

namespace pgvigil::pg {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using common::Result;
using common::Status;
using common::StatusCode;

// libpq messages span lines ("…failed: Connection refused\n\tIs the server running…"): one
// line each for logs and JSON.
std::string OneLine(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::chrono::microseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
}

std::string Millis(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + "ms"; }

std::string RedactWith(const std::vector<std::string>& secrets, std::string_view text) {
  return RedactSecrets(RedactDsn(text), secrets);
}

// Classifies a failed connection from libpq's text: a failed connection has no SQLSTATE.
StatusCode CodeForConnectionMessage(std::string_view message) {
  if (message.find("password authentication failed") != std::string_view::npos ||
      message.find("no password supplied") != std::string_view::npos ||
      message.find("no pg_hba.conf entry") != std::string_view::npos ||
      message.find("authentication failed") != std::string_view::npos ||
      message.find("permission denied") != std::string_view::npos) {
    return StatusCode::kPermissionDenied;
  }
  if (message.find("does not exist") != std::string_view::npos) return StatusCode::kNotFound;
  if (message.find("timeout expired") != std::string_view::npos) return StatusCode::kTimeout;
  return StatusCode::kUnavailable;
}

bool ParseBool(std::string_view v) { return v == "t" || v == "true" || v == "on"; }

template <typename T>
T ParseNumber(std::string_view v) {
  T out{};
  std::from_chars(v.data(), v.data() + v.size(), out);
  return out;
}

enum class Readiness { kReady, kTimeout, kFailed };

// Waits until `socket` is readable (when `read`) or writable (when `write`), or `timer`
// expires, whichever comes first; the others are then cancelled. Completes only once every
// operation it started has finished, so that no late handler can cancel a later wait.
template <typename Token>
auto AsyncWaitReady(asio::posix::stream_descriptor& socket, asio::steady_timer& timer, bool read,
                    bool write, Token&& token) {
  return asio::async_initiate<Token, void(Readiness)>(
      [&socket, &timer, read, write](auto handler) {
        using Handler = decltype(handler);
        struct State {
          explicit State(Handler h) : handler(std::move(h)) {}
          Handler handler;
          int pending = 0;
          std::optional<Readiness> result;
        };
        auto state = std::make_shared<State>(std::move(handler));
        // `r` is empty for an operation that was cancelled.
        auto done = [state, &socket, &timer](std::optional<Readiness> r) {
          if (r.has_value() && !state->result.has_value()) {
            state->result = r;
            boost::system::error_code ignored;
            timer.cancel();
            socket.cancel(ignored);
          }
          if (--state->pending > 0) return;
          const Readiness result = state->result.value_or(Readiness::kFailed);
          auto executor = asio::get_associated_executor(state->handler, socket.get_executor());
          asio::post(executor, [h = std::move(state->handler), result]() mutable { h(result); });
        };
        auto on_socket = [done](const boost::system::error_code& ec) {
          if (ec == asio::error::operation_aborted) return done(std::nullopt);
          done(ec ? Readiness::kFailed : Readiness::kReady);
        };
        state->pending = 1 + (read ? 1 : 0) + (write ? 1 : 0);
        timer.async_wait([done](const boost::system::error_code& ec) {
          done(ec ? std::nullopt : std::optional(Readiness::kTimeout));
        });
        if (read) socket.async_wait(asio::posix::stream_descriptor::wait_read, on_socket);
        if (write) socket.async_wait(asio::posix::stream_descriptor::wait_write, on_socket);
      },
      token);
}

struct Resolved {
  bool timed_out = false;
  boost::system::error_code error;
  std::vector<std::string> addresses;  // distinct, in the resolver's order
};

// Resolves `host` with the loop's resolver (getaddrinfo on asio's private thread), giving up
// at `deadline`. getaddrinfo cannot be interrupted: after a timeout the lookup finishes in
// the background and its answer is dropped.
template <typename Token>
auto AsyncResolveWithin(asio::any_io_executor executor, std::string host_name,
                        Clock::time_point deadline, Token&& token) {
  return asio::async_initiate<Token, void(Resolved)>(
      [executor, deadline](auto handler, std::string host) {
        using Handler = decltype(handler);
        struct State {
          State(Handler h, asio::any_io_executor e)
              : handler(std::move(h)), resolver(e), timer(e), executor(e) {}
          Handler handler;
          asio::ip::tcp::resolver resolver;
          asio::steady_timer timer;
          asio::any_io_executor executor;
          bool finished = false;
        };
        auto state = std::make_shared<State>(std::move(handler), executor);
        auto finish = [state](Resolved r) {
          if (state->finished) return;
          state->finished = true;
          state->timer.cancel();
          state->resolver.cancel();
          auto ex = asio::get_associated_executor(state->handler, state->executor);
          asio::post(
              ex, [h = std::move(state->handler), r = std::move(r)]() mutable { h(std::move(r)); });
        };
        state->timer.expires_at(deadline);
        state->timer.async_wait([finish](const boost::system::error_code& ec) {
          if (ec) return;
          Resolved r;
          r.timed_out = true;
          finish(std::move(r));
        });
        // No flags: like libpq, do not drop address families that have no configured
        // interface (AI_ADDRCONFIG would drop ::1 on a host with only loopback IPv6).
        state->resolver.async_resolve(
            host, "", asio::ip::resolver_base::flags(),
            [finish](const boost::system::error_code& ec,
                     const asio::ip::tcp::resolver::results_type& results) {
              if (ec == asio::error::operation_aborted) return;
              Resolved r;
              r.error = ec;
              for (const auto& entry : results) {
                std::string a = entry.endpoint().address().to_string();
                if (std::find(r.addresses.begin(), r.addresses.end(), a) == r.addresses.end()) {
                  r.addresses.push_back(std::move(a));
                }
              }
              finish(std::move(r));
            });
      },
      token, std::move(host_name));
}

}  // namespace

void AsyncSession::ConnDeleter::operator()(pg_conn* c) const { PQfinish(c); }

AsyncSession::AsyncSession(asio::any_io_executor executor, SessionOptions options,
                           std::vector<std::string> secrets)
    : executor_(executor),
      options_(std::move(options)),
      secrets_(std::move(secrets)),
      timer_(executor) {}

AsyncSession::~AsyncSession() { ReleaseSocket(); }

std::string AsyncSession::Redact(std::string_view text) const { return RedactWith(secrets_, text); }

bool AsyncSession::is_connected() const {
  return conn_ != nullptr && PQstatus(conn_.get()) == CONNECTION_OK;
}

int AsyncSession::backend_pid() const { return conn_ ? PQbackendPID(conn_.get()) : 0; }

Status AsyncSession::ConnectionError(std::string_view context) const {
  const std::string message =
      conn_ ? OneLine(PQerrorMessage(conn_.get())) : std::string("connection closed");
  return Status(
      StatusCode::kUnavailable,
      Redact(fmt::format("{}: {}", context, message.empty() ? "connection lost" : message)));
}

AsyncSession::Awaitable<Result<std::unique_ptr<AsyncSession>>> AsyncSession::Connect(
    asio::any_io_executor executor, SessionOptions options) {
  auto explicit_keywords = ParseDsn(options.dsn);
  if (!explicit_keywords.has_value()) co_return explicit_keywords.error();

  std::vector<std::string> secrets;
  if (auto it = explicit_keywords->find("password"); it != explicit_keywords->end()) {
    secrets.push_back(it->second);
  }
  if (const char* env = std::getenv("PGPASSWORD"); env != nullptr) secrets.emplace_back(env);

  // The DSN first (expanded by libpq, with PG* variables and .pgpass), then pgvigil's own
  // settings, which take precedence over the DSN's for application_name only.
  std::vector<std::pair<std::string, std::string>> params = {{"dbname", options.dsn}};
  params.emplace_back("application_name", options.application_name);
  if (!explicit_keywords->contains("connect_timeout")) {
    const auto secs = std::chrono::ceil<std::chrono::seconds>(options.connect_timeout).count();
    params.emplace_back("connect_timeout", std::to_string(std::max<long>(2, secs)));
  }
  if (!explicit_keywords->contains("keepalives_idle")) {
    params.emplace_back("keepalives", "1");
    params.emplace_back("keepalives_idle", "30");
    params.emplace_back("keepalives_interval", "10");
    params.emplace_back("keepalives_count", "3");
  }
  if (!explicit_keywords->contains("tcp_user_timeout")) {
    // Unacknowledged data for this long means the peer is gone (a half-open connection).
    // Capped: a maintenance session's io_timeout is days long, and on Linux TCP_USER_TIMEOUT
    // also overrides the keepalive probe count that notices a dead peer on an idle wait.
    const auto user_timeout =
        std::min<std::chrono::milliseconds>(options.io_timeout, std::chrono::minutes(2));
    params.emplace_back("tcp_user_timeout", std::to_string(user_timeout.count()));
  }

  const auto start = Clock::now();
  const auto deadline = start + options.connect_timeout;
  // PQconnectPoll would resolve a host name with a blocking getaddrinfo, stalling every
  // target on the loop: resolve it here and hand libpq the addresses. `host` stays for
  // .pgpass, TLS host name checks and messages; one host entry per address, so that libpq
  // still tries each address in turn, as it does with a name.
  const std::string host_name =
      HostNameToResolve(*explicit_keywords, std::getenv("PGHOST"), std::getenv("PGHOSTADDR"));
  if (!host_name.empty()) {
    const Resolved resolved =
        co_await AsyncResolveWithin(executor, host_name, deadline, asio::use_awaitable);
    const std::string where = fmt::format("connect to {}", DescribeDsn(options.dsn));
    if (resolved.timed_out) {
      co_return common::TimeoutError(
          RedactWith(secrets, fmt::format("{}: could not resolve host name \"{}\" within {}", where,
                                          host_name, Millis(options.connect_timeout))));
    }
    if (resolved.error || resolved.addresses.empty()) {
      co_return common::UnavailableError(RedactWith(
          secrets,
          fmt::format("{}: could not translate host name \"{}\" to address: {}", where, host_name,
                      resolved.error ? resolved.error.message() : "no address")));
    }
    constexpr size_t kMaxAddresses = 8;
    std::string hosts;
    std::string addresses;
    for (size_t i = 0; i < resolved.addresses.size() && i < kMaxAddresses; ++i) {
      if (i > 0) {
        hosts += ',';
        addresses += ',';
      }
      hosts += host_name;
      addresses += resolved.addresses[i];
    }
    params.emplace_back("host", std::move(hosts));
    params.emplace_back("hostaddr", std::move(addresses));
  }

  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [k, v] : params) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);

  std::unique_ptr<AsyncSession> session(
      new AsyncSession(executor, std::move(options), std::move(secrets)));
  session->conn_.reset(PQconnectStartParams(keys.data(), values.data(), 1));
  PGconn* c = session->conn_.get();
  if (c == nullptr) co_return common::InternalError("libpq could not allocate a connection");
  if (PQstatus(c) == CONNECTION_BAD) {
    const std::string message = session->Redact(OneLine(PQerrorMessage(c)));
    co_return Status(CodeForConnectionMessage(message), message);
  }
  if (Status s = co_await session->Establish(deadline); !s.ok()) co_return s;
  session->connect_duration_ = Since(start);
  if (PQsetnonblocking(c, 1) != 0) co_return session->ConnectionError("set non-blocking mode");
  if (Status s = session->WrapSocket(); !s.ok()) co_return s;
  if (session->options_.kind != SessionKind::kPgBouncerAdmin) {
    const auto setup_start = Clock::now();
    if (Status s = co_await session->Setup(); !s.ok()) co_return s;
    session->setup_round_trip_ = Since(setup_start);
  }
  co_return std::move(session);
}

AsyncSession::Awaitable<Status> AsyncSession::Establish(Clock::time_point deadline) {
  PGconn* c = conn_.get();
  for (;;) {
    const PostgresPollingStatusType poll_status = PQconnectPoll(c);
    if (poll_status == PGRES_POLLING_OK) co_return Status::Ok();
    if (poll_status == PGRES_POLLING_FAILED) {
      const std::string message = Redact(OneLine(PQerrorMessage(c)));
      co_return Status(CodeForConnectionMessage(message), message);
    }
    if (Status s = WrapSocket(); !s.ok()) co_return s;
    Status s = co_await Wait(poll_status == PGRES_POLLING_READING,
                             poll_status == PGRES_POLLING_WRITING, deadline);
    if (!s.ok()) co_return s.WithContext(fmt::format("connect to {}", DescribeDsn(options_.dsn)));
  }
}

void AsyncSession::ReleaseSocket() {
  if (!socket_.has_value()) return;
  // Deregisters the descriptor from the loop without closing it: the socket is libpq's.
  if (socket_->is_open()) socket_->release();
  socket_.reset();
}

Status AsyncSession::WrapSocket() {
  // Released first, while the old number cannot yet belong to anyone else on this loop: a
  // socket that libpq closed and reopened under the same number is no longer registered
  // with the loop's epoll and has to be registered anew.
  ReleaseSocket();
  const int fd = PQsocket(conn_.get());
  if (fd < 0) return ConnectionError("socket");
  boost::system::error_code ec;
  socket_.emplace(executor_);
  socket_->assign(fd, ec);
  if (ec) {
    socket_.reset();  // not open: the destructor closes nothing
    return common::UnavailableError("cannot watch the connection's socket: " + ec.message());
  }
  return Status::Ok();
}

AsyncSession::Awaitable<Status> AsyncSession::Wait(bool read, bool write,
                                                   Clock::time_point deadline) {
  if (!socket_.has_value() || !socket_->is_open()) co_return ConnectionError("socket");
  if (Clock::now() >= deadline) {
    co_return common::TimeoutError("no answer from the server within the deadline");
  }
  // Readiness that arrived while no wait was pending is not reported again by the loop's
  // edge-triggered epoll (libpq may leave bytes in the kernel buffer): ask the kernel first.
  pollfd pfd{socket_->native_handle(),
             static_cast<short>((read ? POLLIN : 0) | (write ? POLLOUT : 0)), 0};
  if (::poll(&pfd, 1, 0) > 0) co_return Status::Ok();
  timer_.expires_at(deadline);
  const Readiness r = co_await AsyncWaitReady(*socket_, timer_, read, write, asio::use_awaitable);
  switch (r) {
    case Readiness::kReady:
      co_return Status::Ok();
    case Readiness::kTimeout:
      co_return common::TimeoutError("no answer from the server within the deadline");
    case Readiness::kFailed:
      break;
  }
  co_return common::UnavailableError("waiting on the connection's socket failed");
}

AsyncSession::Awaitable<Status> AsyncSession::WaitUntilNotBusy() {
  PGconn* c = conn_.get();
  auto deadline = Clock::now() + options_.io_timeout;
  for (;;) {
    const int flush = PQflush(c);  // 0 all sent, 1 more to send, -1 error
    if (flush < 0) co_return ConnectionError("send");
    if (PQconsumeInput(c) == 0) co_return ConnectionError("receive");
    if (!PQisBusy(c)) co_return Status::Ok();
    // While output is pending, wait for either direction: the server may be blocked sending
    // us results while we are blocked sending it queries.
    Status s = co_await Wait(true, flush == 1, deadline);
    if (!s.ok()) co_return s;
    deadline = Clock::now() + options_.io_timeout;  // progress or not, the socket was ready
  }
}

void AsyncSession::Abandon() {
  if (!conn_) return;
  if (PQstatus(conn_.get()) == CONNECTION_OK) {
    if (PGcancel* cancel = PQgetCancel(conn_.get()); cancel != nullptr) {
      // libpq 15's PQcancel blocks for a connect to the server, and without bound on a peer
      // that accepts and never answers: send it from a thread of its own so that the loop
      // goes on. The server's statement_timeout bounds the query if the cancel never lands.
      // TODO: PQcancelStart/PQcancelPoll on the loop once libpq 17 is the baseline.
      try {
        std::thread([cancel] {
          char buffer[256];
          PQcancel(cancel, buffer, sizeof buffer);
          PQfreeCancel(cancel);
        }).detach();
      } catch (const std::system_error&) {
        PQfreeCancel(cancel);  // no thread to spare: rely on statement_timeout
      }
    }
  }
  ReleaseSocket();
  conn_.reset();
}

AsyncSession::Awaitable<Status> AsyncSession::Setup() {
  const std::string sql = fmt::format(
      "SET statement_timeout = {}; SET lock_timeout = {}; "
      "SET idle_in_transaction_session_timeout = '60s'; "
      "{}SET jit = off; {} {}",
      QuoteLiteral(Millis(options_.statement_timeout)), QuoteLiteral(Millis(options_.lock_timeout)),
      // Only a maintenance session may write; monitoring sessions cannot by accident.
      options_.kind == SessionKind::kMaintenance ? "" : "SET default_transaction_read_only = on; ",
      EmbeddedSql("server_info.sql"), EmbeddedSql("extensions.sql"));
  if (PQsendQuery(conn_.get(), sql.c_str()) == 0) co_return ConnectionError("set up the session");
  std::vector<ResultSet> tuples;
  Status error;
  for (;;) {
    if (Status s = co_await WaitUntilNotBusy(); !s.ok()) {
      Abandon();
      co_return s.WithContext("set up the session");
    }
    PGresult* r = PQgetResult(conn_.get());
    if (r == nullptr) break;
    ResultSet result(r);
    const ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK) {
      tuples.push_back(std::move(result));
    } else if (st != PGRES_COMMAND_OK && error.ok()) {
      const char* sqlstate = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      const std::string code = sqlstate ? sqlstate : "";
      error = Status(StatusCodeForSqlState(code),
                     Redact("set up the session: " + OneLine(PQresultErrorMessage(r))), code);
    }
  }
  if (!error.ok()) co_return error;
  if (tuples.size() != 2 || tuples[0].row_count() != 1) {
    co_return common::InternalError("set up the session: unexpected results from server_info.sql");
  }
  const ResultSet& info = tuples[0];
  auto col = [&](std::string_view name) { return info.Value(0, info.ColumnIndex(name)); };
  server_info_.server_version_num = ParseNumber<int>(col("server_version_num"));
  server_info_.server_version = std::string(col("server_version"));
  server_info_.is_in_recovery = ParseBool(col("is_in_recovery"));
  server_info_.current_database = std::string(col("current_database"));
  server_info_.current_user = std::string(col("current_user"));
  server_info_.is_superuser = ParseBool(col("is_superuser"));
  server_info_.has_pg_monitor = ParseBool(col("has_pg_monitor"));
  server_info_.has_read_all_stats = ParseBool(col("has_read_all_stats"));
  server_info_.block_size = ParseNumber<int>(col("block_size"));
  server_info_.postmaster_start_time =
      common::TimestampFromEpochSeconds(ParseNumber<double>(col("postmaster_start_time")));
  const ResultSet& ext = tuples[1];
  for (int r = 0; r < ext.row_count(); ++r) {
    server_info_.extensions.push_back(
        {std::string(ext.Value(r, 0)), std::string(ext.Value(r, 1)), std::string(ext.Value(r, 2))});
  }
  co_return Status::Ok();
}

AsyncSession::Awaitable<std::vector<QueryOutcome>> AsyncSession::RunPipeline(
    std::vector<Query> queries, OutcomeSink on_answered) {
  std::vector<QueryOutcome> outcomes(queries.size());
  size_t delivered = 0;
  auto deliver_through = [&](size_t end) {  // hands outcomes [delivered, end) to the sink
    for (; delivered < end; ++delivered) {
      if (on_answered) on_answered(delivered, outcomes[delivered]);
    }
  };
  // Fails the queries from `first` on, which will not be answered, and delivers them.
  auto fail_from = [&](size_t first, const Status& status) {
    for (size_t i = first; i < outcomes.size(); ++i) {
      outcomes[i].status = status.WithContext(queries[i].name);
    }
    deliver_through(outcomes.size());
  };
  if (queries.empty()) co_return outcomes;
  if (!is_connected()) {
    fail_from(0, common::UnavailableError("not connected"));
    co_return outcomes;
  }
  PGconn* c = conn_.get();
  if (PQenterPipelineMode(c) == 0) {
    fail_from(0, ConnectionError("enter pipeline mode"));
    co_return outcomes;
  }

  // Queue every query, each followed by a sync point: an error then aborts only its own
  // query, and the server still runs the next ones. Nothing is flushed until all are queued.
  // Each query is prepared once per connection and then executed by name: the server plans a
  // parameterless prepared statement once, and planning the catalog views costs more than
  // running them in the fast tier (≈1 ms a query on a large catalogue).
  std::vector<std::string> newly_prepared(queries.size());
  for (size_t i = 0; i < queries.size(); ++i) {
    auto known = prepared_.find(queries[i].sql);
    std::string name;
    bool sent = true;
    if (known != prepared_.end()) {
      name = known->second;
    } else {
      name = "pgvigil_" + std::to_string(++prepare_counter_);
      sent = PQsendPrepare(c, name.c_str(), queries[i].sql.c_str(), 0, nullptr) != 0;
      newly_prepared[i] = name;
    }
    std::vector<const char*> values;
    for (const std::string& p : queries[i].params) values.push_back(p.c_str());
    if (!sent ||
        PQsendQueryPrepared(c, name.c_str(), static_cast<int>(values.size()),
                            values.empty() ? nullptr : values.data(), nullptr, nullptr, 0) == 0 ||
        PQpipelineSync(c) == 0) {
      Status s = ConnectionError("queue query");
      Abandon();
      fail_from(0, s);
      co_return outcomes;
    }
  }

  auto last_completion = Clock::now();
  size_t current = 0;
  while (current < queries.size()) {
    if (Status s = co_await WaitUntilNotBusy(); !s.ok()) {
      Abandon();
      fail_from(current, s);
      co_return outcomes;
    }
    PGresult* r = PQgetResult(c);
    if (r == nullptr) continue;  // the end of this query's results; its sync point comes next
    ResultSet result(r);
    QueryOutcome& out = outcomes[current];
    switch (PQresultStatus(r)) {
      case PGRES_PIPELINE_SYNC:
        out.elapsed = Since(last_completion);
        ++current;
        deliver_through(current);
        // After the sink's work, so that its parsing is not counted as the next query's time.
        last_completion = Clock::now();
        break;
      case PGRES_TUPLES_OK:
      case PGRES_COMMAND_OK:
        out.rows = std::move(result);
        break;
      case PGRES_PIPELINE_ABORTED:  // the execute after a failed prepare
        if (out.status.ok()) {
          out.status = common::InternalError(queries[current].name + ": pipeline aborted");
        }
        break;
      default: {
        const char* sqlstate = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        const std::string code = sqlstate ? sqlstate : "";
        out.status =
            Status(StatusCodeForSqlState(code),
                   Redact(queries[current].name + ": " + OneLine(PQresultErrorMessage(r))), code);
        break;
      }
    }
  }
  for (size_t i = 0; i < queries.size(); ++i) {
    // A statement whose query failed is prepared again next time, under a new name.
    if (!newly_prepared[i].empty() && outcomes[i].status.ok()) {
      prepared_.emplace(queries[i].sql, std::move(newly_prepared[i]));
    }
  }
  if (PQexitPipelineMode(c) == 0) {
    // Everything was read, so this only fails when the connection is broken.
    Abandon();
  }
  co_return outcomes;
}

AsyncSession::Awaitable<Result<ResultSet>> AsyncSession::RunSimple(std::string sql) {
  if (!is_connected()) co_return common::UnavailableError("not connected");
  if (PQsendQuery(conn_.get(), sql.c_str()) == 0) co_return ConnectionError("send query");
  ResultSet last;
  Status error;
  for (;;) {
    if (Status s = co_await WaitUntilNotBusy(); !s.ok()) {
      Abandon();
      co_return s;
    }
    PGresult* r = PQgetResult(conn_.get());
    if (r == nullptr) break;
    ResultSet result(r);
    const ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
      last = std::move(result);
    } else if (error.ok()) {
      const char* sqlstate = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      const std::string code = sqlstate ? sqlstate : "";
      error = Status(StatusCodeForSqlState(code), Redact(OneLine(PQresultErrorMessage(r))), code);
    }
  }
  if (!error.ok()) co_return error;
  co_return std::move(last);
}

}  // namespace pgvigil::pg
