// SPDX-License-Identifier: Apache-2.0
#include "pg/libpq_session.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fmt/format.h>

#include "pg/dsn.h"
#include "pg/embedded_sql.h"
#include "pg/quote.h"

namespace pgvigil::pg {
namespace {

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

}  // namespace

StatusCode StatusCodeForSqlState(std::string_view s) {
  if (s == "57014" || s == "55P03") return StatusCode::kTimeout;
  if (s.substr(0, 2) == "28" || s == "42501") return StatusCode::kPermissionDenied;
  // 55000: a prerequisite is missing ("pg_stat_statements must be loaded via
  // shared_preload_libraries", "recovery is in progress"): the feature is not there.
  if (s == "42P01" || s == "42883" || s == "42703" || s == "0A000" || s == "55000") {
    return StatusCode::kUnsupported;
  }
  if (s == "3D000") return StatusCode::kNotFound;
  if (s.substr(0, 2) == "08" || s.substr(0, 4) == "57P0") return StatusCode::kUnavailable;
  return StatusCode::kInternal;
}

void LibpqSession::ConnDeleter::operator()(pg_conn* c) const { PQfinish(c); }

LibpqSession::LibpqSession(std::unique_ptr<pg_conn, ConnDeleter> conn, SessionOptions options,
                           std::vector<std::string> secrets)
    : conn_(std::move(conn)), options_(std::move(options)), secrets_(std::move(secrets)) {}

LibpqSession::~LibpqSession() = default;

std::string LibpqSession::Redact(std::string_view text) const {
  return RedactSecrets(RedactDsn(text), secrets_);
}

bool LibpqSession::is_connected() const {
  return conn_ != nullptr && PQstatus(conn_.get()) == CONNECTION_OK;
}

int LibpqSession::backend_pid() const { return conn_ ? PQbackendPID(conn_.get()) : 0; }

Status LibpqSession::ConnectionError(std::string_view context) const {
  const std::string message =
      conn_ ? OneLine(PQerrorMessage(conn_.get())) : std::string("connection closed");
  return Status(StatusCode::kUnavailable,
                Redact(fmt::format("{}: {}", context, message.empty() ? "connection lost" : message)));
}

Result<std::unique_ptr<LibpqSession>> LibpqSession::Connect(const SessionOptions& options) {
  PGV_ASSIGN_OR_RETURN(auto explicit_keywords, ParseDsn(options.dsn));

  std::vector<std::string> secrets;
  if (auto it = explicit_keywords.find("password"); it != explicit_keywords.end()) {
    secrets.push_back(it->second);
  }
  if (const char* env = std::getenv("PGPASSWORD"); env != nullptr) secrets.emplace_back(env);

  // The DSN first (expanded by libpq, with PG* variables and .pgpass), then pgvigil's own
  // settings, which take precedence over the DSN's for application_name only.
  std::vector<std::pair<std::string, std::string>> params = {{"dbname", options.dsn}};
  params.emplace_back("application_name", options.application_name);
  if (!explicit_keywords.contains("connect_timeout")) {
    const auto secs = std::chrono::ceil<std::chrono::seconds>(options.connect_timeout).count();
    params.emplace_back("connect_timeout", std::to_string(std::max<long>(2, secs)));
  }
  if (!explicit_keywords.contains("keepalives_idle")) {
    params.emplace_back("keepalives", "1");
    params.emplace_back("keepalives_idle", "30");
    params.emplace_back("keepalives_interval", "10");
    params.emplace_back("keepalives_count", "3");
  }
  if (!explicit_keywords.contains("tcp_user_timeout")) {
    // Unacknowledged data for this long means the peer is gone (a half-open connection).
    params.emplace_back("tcp_user_timeout", std::to_string(options.io_timeout.count()));
  }
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [k, v] : params) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);

  const auto start = Clock::now();
  std::unique_ptr<pg_conn, ConnDeleter> conn(PQconnectStartParams(keys.data(), values.data(), 1));
  if (conn == nullptr) return common::InternalError("libpq could not allocate a connection");
  // The session exists from here on so that its helpers (Wait, Redact) can be used.
  std::unique_ptr<LibpqSession> session(new LibpqSession(std::move(conn), options, secrets));
  PGconn* c = session->conn_.get();
  if (PQstatus(c) == CONNECTION_BAD) {
    const std::string message = session->Redact(OneLine(PQerrorMessage(c)));
    return Status(CodeForConnectionMessage(message), message);
  }
  const auto deadline = start + options.connect_timeout;
  for (;;) {
    const PostgresPollingStatusType poll_status = PQconnectPoll(c);
    if (poll_status == PGRES_POLLING_OK) break;
    if (poll_status == PGRES_POLLING_FAILED) {
      const std::string message = session->Redact(OneLine(PQerrorMessage(c)));
      return Status(CodeForConnectionMessage(message), message);
    }
    PGV_RETURN_IF_ERROR(session->Wait(poll_status == PGRES_POLLING_WRITING, deadline)
                            .WithContext(fmt::format("connect to {}", DescribeDsn(options.dsn))));
  }
  session->connect_duration_ = Since(start);
  if (PQsetnonblocking(c, 1) != 0) return session->ConnectionError("set non-blocking mode");
  if (options.kind == SessionKind::kMonitoring) {
    const auto setup_start = Clock::now();
    PGV_RETURN_IF_ERROR(session->Setup());
    session->setup_round_trip_ = Since(setup_start);
  }
  return session;
}

Status LibpqSession::Wait(bool want_write, Clock::time_point deadline) {
  const int fd = PQsocket(conn_.get());
  if (fd < 0) return ConnectionError("socket");
  for (;;) {
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (remaining.count() <= 0) {
      return common::TimeoutError("no answer from the server within the deadline");
    }
    pollfd pfd{fd, static_cast<short>(POLLIN | (want_write ? POLLOUT : 0)), 0};
    const int rc = ::poll(&pfd, 1, static_cast<int>(remaining.count()));
    if (rc > 0) return Status::Ok();
    if (rc < 0 && errno != EINTR) return common::UnavailableError("poll failed");
  }
}

Status LibpqSession::WaitUntilNotBusy() {
  PGconn* c = conn_.get();
  auto deadline = Clock::now() + options_.io_timeout;
  for (;;) {
    const int flush = PQflush(c);  // 0 all sent, 1 more to send, -1 error
    if (flush < 0) return ConnectionError("send");
    if (PQconsumeInput(c) == 0) return ConnectionError("receive");
    if (!PQisBusy(c)) return Status::Ok();
    PGV_RETURN_IF_ERROR(Wait(flush == 1, deadline));
    deadline = Clock::now() + options_.io_timeout;  // progress or not, poll said the socket is ready
  }
}

void LibpqSession::Abandon() {
  if (!conn_) return;
  if (PGcancel* cancel = PQgetCancel(conn_.get()); cancel != nullptr) {
    // TODO: use PQcancelStart (libpq 17) on the event loop once the daemon has one; this
    // blocking cancel request takes one connect to the server.
    char buffer[256];
    PQcancel(cancel, buffer, sizeof buffer);
    PQfreeCancel(cancel);
  }
  conn_.reset();
}

Status LibpqSession::Setup() {
  const std::string sql = fmt::format(
      "SET statement_timeout = {}; SET lock_timeout = {}; "
      "SET idle_in_transaction_session_timeout = '60s'; "
      "SET default_transaction_read_only = on; SET jit = off; {} {}",
      QuoteLiteral(Millis(options_.statement_timeout)), QuoteLiteral(Millis(options_.lock_timeout)),
      EmbeddedSql("server_info.sql"), EmbeddedSql("extensions.sql"));
  if (PQsendQuery(conn_.get(), sql.c_str()) == 0) return ConnectionError("set up the session");
  std::vector<ResultSet> tuples;
  Status error;
  for (;;) {
    if (Status s = WaitUntilNotBusy(); !s.ok()) {
      Abandon();
      return s.WithContext("set up the session");
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
  if (!error.ok()) return error;
  if (tuples.size() != 2 || tuples[0].row_count() != 1) {
    return common::InternalError("set up the session: unexpected results from server_info.sql");
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
  return Status::Ok();
}

std::vector<QueryOutcome> LibpqSession::RunPipeline(std::span<const Query> queries) {
  std::vector<QueryOutcome> outcomes(queries.size());
  auto fail_from = [&](size_t first, const Status& status) {
    for (size_t i = first; i < outcomes.size(); ++i) {
      outcomes[i].status = status.WithContext(queries[i].name);
    }
  };
  if (queries.empty()) return outcomes;
  if (!is_connected()) {
    fail_from(0, common::UnavailableError("not connected"));
    return outcomes;
  }
  PGconn* c = conn_.get();
  if (PQenterPipelineMode(c) == 0) {
    fail_from(0, ConnectionError("enter pipeline mode"));
    return outcomes;
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
    if (!sent ||
        PQsendQueryPrepared(c, name.c_str(), 0, nullptr, nullptr, nullptr, 0) == 0 ||
        PQpipelineSync(c) == 0) {
      Status s = ConnectionError("queue query");
      Abandon();
      fail_from(0, s);
      return outcomes;
    }
  }

  auto last_completion = Clock::now();
  size_t current = 0;
  while (current < queries.size()) {
    if (Status s = WaitUntilNotBusy(); !s.ok()) {
      Abandon();
      fail_from(current, s);
      return outcomes;
    }
    PGresult* r = PQgetResult(c);
    if (r == nullptr) continue;  // the end of this query's results; its sync point comes next
    ResultSet result(r);
    QueryOutcome& out = outcomes[current];
    switch (PQresultStatus(r)) {
      case PGRES_PIPELINE_SYNC:
        out.elapsed = Since(last_completion);
        last_completion = Clock::now();
        ++current;
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
        out.status = Status(StatusCodeForSqlState(code),
                            Redact(queries[current].name + ": " + OneLine(PQresultErrorMessage(r))),
                            code);
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
  return outcomes;
}

Result<ResultSet> LibpqSession::RunSimple(std::string_view sql) {
  if (!is_connected()) return common::UnavailableError("not connected");
  const std::string text(sql);
  if (PQsendQuery(conn_.get(), text.c_str()) == 0) return ConnectionError("send query");
  ResultSet last;
  Status error;
  for (;;) {
    if (Status s = WaitUntilNotBusy(); !s.ok()) {
      Abandon();
      return s;
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
  if (!error.ok()) return error;
  return last;
}

}  // namespace pgvigil::pg
