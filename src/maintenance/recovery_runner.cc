// SPDX-License-Identifier: Apache-2.0
// The real RecoveryRunner, on libpq: Plan reads pg_stat_activity (sql/recovery_activity.sql) and
// leaves the choice to SelectRecoveryBackends; Execute sends each signal in one statement that
// also checks pid and backend_start (recovery_statements.h), so a reused pid is never hit.
//
// Both open a session of their own with PlanContext::dsn (the maintenance DSN). Plan's is a
// monitoring-kind session, read-only, so a dry run cannot change anything by construction;
// Execute's a maintenance-kind one with the monitoring timeouts (each statement is quick).
#include <fmt/format.h>

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "maintenance/recovery.h"
#include "maintenance/recovery_selection.h"
#include "maintenance/recovery_statements.h"
#include "pg/libpq_session.h"

namespace pgvigil::maintenance {
namespace {

// How a recovery session shows in pg_stat_activity; the "pgvigil" prefix also keeps every
// recovery from ever selecting another pgvigil session.
constexpr std::string_view kApplicationName = "pgvigil-recovery";

common::Result<std::unique_ptr<pg::LibpqSession>> Open(const std::string& dsn,
                                                       pg::SessionKind kind) {
  pg::SessionOptions options;
  options.dsn = dsn;
  options.kind = kind;
  options.application_name = std::string(kApplicationName);
  return pg::LibpqSession::Connect(options);
}

common::Result<pg::ResultSet> RunOne(pg::LibpqSession& session, const pg::Query& query) {
  std::vector<pg::QueryOutcome> outcomes = session.RunPipeline({&query, 1});
  if (outcomes.empty()) return common::InternalError("the pipeline returned no outcome");
  if (!outcomes[0].status.ok()) return outcomes[0].status;
  return std::move(outcomes[0].rows);
}

std::optional<double> ParseDouble(const pg::ResultSet& rs, int row, int column) {
  if (column < 0 || rs.IsNull(row, column)) return std::nullopt;
  const std::string_view text = rs.Value(row, column);
  double out = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return out;
}

std::string Text(const pg::ResultSet& rs, int row, int column) {
  return column < 0 ? std::string() : std::string(rs.Value(row, column));
}

common::Result<std::vector<ActivityRow>> ParseActivity(const pg::ResultSet& rs) {
  const int pid = rs.ColumnIndex("pid");
  const int start = rs.ColumnIndex("backend_start");
  if (pid < 0 || start < 0) {
    return common::InternalError("recovery_activity.sql returned no pid / backend_start column");
  }
  const int datname = rs.ColumnIndex("datname");
  const int usename = rs.ColumnIndex("usename");
  const int rolsuper = rs.ColumnIndex("rolsuper");
  const int app = rs.ColumnIndex("application_name");
  const int type = rs.ColumnIndex("backend_type");
  const int state = rs.ColumnIndex("state");
  const int query_age = rs.ColumnIndex("query_age_seconds");
  const int state_age = rs.ColumnIndex("state_age_seconds");
  const int query = rs.ColumnIndex("query");
  const int is_self = rs.ColumnIndex("is_self");
  std::vector<ActivityRow> rows;
  rows.reserve(static_cast<std::size_t>(rs.row_count()));
  for (int r = 0; r < rs.row_count(); ++r) {
    ActivityRow row;
    const std::string_view pid_text = rs.Value(r, pid);
    const auto [end, ec] =
        std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), row.pid);
    if (ec != std::errc() || end != pid_text.data() + pid_text.size()) continue;
    row.backend_start = Text(rs, r, start);
    row.datname = Text(rs, r, datname);
    row.usename = Text(rs, r, usename);
    row.rolsuper = Text(rs, r, rolsuper) == "t";
    row.application_name = Text(rs, r, app);
    row.backend_type = Text(rs, r, type);
    row.state = Text(rs, r, state);
    row.query_age_seconds = ParseDouble(rs, r, query_age);
    row.state_age_seconds = ParseDouble(rs, r, state_age);
    row.query = Text(rs, r, query);
    row.is_self = Text(rs, r, is_self) == "t";
    rows.push_back(std::move(row));
  }
  return rows;
}

// The result of one signalling statement, in the words of RecoveryBackend::outcome: `done`
// ("cancelled", "terminated") when it was sent, else "gone", "changed" or "failed: …"; empty
// when kCancelIfActive found the pinned process idle (nothing to cancel).
struct SignalResult {
  bool sent = false;
  std::string outcome;
  std::string sqlstate;
};

SignalResult Signal(pg::LibpqSession& session, RecoverySignal signal,
                    const model::RecoveryBackend& b, std::string_view done) {
  auto rs = RunOne(session, RecoverySignalQuery(signal, b.pid, b.backend_start));
  if (!rs.has_value()) {
    return {false, "failed: " + rs.error().message(), rs.error().sqlstate()};
  }
  const pg::ResultSet& r = rs.value();
  const int signalled = r.ColumnIndex("signalled");
  const int exists = r.ColumnIndex("pid_exists");
  if (r.row_count() != 1 || signalled < 0 || exists < 0) {
    return {false, "failed: unexpected result shape", ""};
  }
  if (r.IsNull(0, signalled)) {
    // kCancelIfActive: the pinned process, but idle; nothing sent, nothing decided yet.
    if (const int pinned = r.ColumnIndex("pinned"); pinned >= 0 && r.Value(0, pinned) == "t") {
      return {false, "", ""};
    }
    return {false, r.Value(0, exists) == "t" ? "changed" : "gone", ""};
  }
  if (r.Value(0, signalled) == "t") return {true, std::string(done), ""};
  // The function returns false (with a WARNING) when the process ended between the check and
  // the signal.
  return {false, "gone", ""};
}

class LibpqRecoveryRunner final : public RecoveryRunner {
 public:
  explicit LibpqRecoveryRunner(const common::Clock& clock) : clock_(clock) {}

  model::MaintenanceOperation Plan(const RecoveryRequest& request,
                                   const PlanContext& context) override {
    model::MaintenanceOperation op;
    op.kind = model::OperationKind::kRecovery;
    op.target = request.target;
    op.database = request.database;
    op.initiator = request.initiator;
    op.initiator_role = request.initiator_role;
    op.created_at = context.now == common::Timestamp{} ? clock_.Now() : context.now;
    op.state = model::OperationState::kRefused;
    if (common::Status s = ValidateRecoveryRequest(request); !s.ok()) {
      op.message = s.message();
      return op;
    }
    auto session = Open(context.dsn, pg::SessionKind::kMonitoring);
    if (!session.has_value()) {
      op.message = "connect: " + session.error().message();
      return op;
    }
    auto rs = RunOne(*session.value(),
                     pg::Query{"recovery_activity", std::string(RecoveryActivitySql())});
    if (!rs.has_value()) {
      op.message = "read pg_stat_activity: " + rs.error().message();
      op.sqlstate = rs.error().sqlstate();
      return op;
    }
    auto rows = ParseActivity(rs.value());
    if (!rows.has_value()) {
      op.message = rows.error().message();
      return op;
    }
    const MaintenancePolicy defaults;
    const MaintenancePolicy& policy = context.policy != nullptr ? *context.policy : defaults;
    RecoverySelection selection = SelectRecoveryBackends(rows.value(), request, policy);
    op.backends = std::move(selection.backends);
    op.guards = std::move(selection.guards);
    SetPlannedSql(op);
    op.state = model::OperationState::kPlanned;
    return op;
  }

  model::MaintenanceOperation Execute(model::MaintenanceOperation op,
                                      const PlanContext& context) override {
    if (op.state != model::OperationState::kPlanned && op.state != model::OperationState::kQueued &&
        op.state != model::OperationState::kRunning) {
      return op;  // refused or already final: nothing to do
    }
    op.started_at = clock_.Now();
    op.state = model::OperationState::kRunning;
    auto session = Open(context.dsn, pg::SessionKind::kMaintenance);
    if (!session.has_value()) {
      op.state = model::OperationState::kFailed;
      op.message = "connect: " + session.error().message();
      op.sqlstate = session.error().sqlstate();
      for (model::RecoveryBackend& b : op.backends) {
        if (b.outcome.empty()) b.outcome = "failed: no connection";
      }
      op.finished_at = clock_.Now();
      return op;
    }
    const MaintenancePolicy defaults;
    const MaintenancePolicy& policy = context.policy != nullptr ? *context.policy : defaults;
    int failures = 0;
    std::string first_failure;
    const auto settle = [&](model::RecoveryBackend& b, SignalResult result) {
      b.outcome = std::move(result.outcome);
      if (b.outcome.starts_with("failed") && failures++ == 0) {
        first_failure = fmt::format("pid {}: {}", b.pid, b.outcome);
        op.sqlstate = result.sqlstate;
      }
    };
    // Cancel before terminate, in three steps so the grace is waited once, not per backend:
    // the cancels, and a cancel for every terminate target that is running a statement (it
    // then ends by its own error handling); the grace; the terminations.
    bool any_cancelled_first = false;
    for (model::RecoveryBackend& b : op.backends) {
      if (!b.outcome.empty() || b.action.empty()) continue;  // gone / changed at planning
      if (b.action == "cancel") {
        settle(b, Signal(*session.value(), RecoverySignal::kCancel, b, "cancelled"));
        continue;
      }
      SignalResult first =
          Signal(*session.value(), RecoverySignal::kCancelIfActive, b, "cancelled");
      if (first.sent) {
        any_cancelled_first = true;
      } else if (!first.outcome.empty()) {
        settle(b, std::move(first));  // changed, gone or failed: never terminated
      }
    }
    if (any_cancelled_first) std::this_thread::sleep_for(policy.cancel_grace);
    for (model::RecoveryBackend& b : op.backends) {
      if (!b.outcome.empty() || b.action != "terminate") continue;
      settle(b, Signal(*session.value(), RecoverySignal::kTerminate, b, "terminated"));
    }
    op.finished_at = clock_.Now();
    if (failures > 0) {
      op.state = model::OperationState::kFailed;
      op.message = fmt::format("{} of {} backends could not be signalled; first: {}", failures,
                               op.backends.size(), first_failure);
    } else {
      op.state = model::OperationState::kCompleted;
    }
    return op;
  }

 private:
  // One statement a line, as sent (with $1 = pid, $2 = backend_start) and its parameters in
  // sql_params: the cancels and the cancel-if-active of each terminate target, then the
  // terminations, in the order Execute runs them. Recorded this way rather than with the
  // values written in, so that the audit shows exactly what reached the server.
  static void SetPlannedSql(model::MaintenanceOperation& op) {
    op.sql.clear();
    op.sql_params.clear();
    const auto add = [&op](pg::Query query) {
      if (!op.sql.empty()) op.sql.push_back('\n');
      op.sql += query.sql;
      op.sql_params.push_back(std::move(query.params));
    };
    for (const model::RecoveryBackend& b : op.backends) {
      if (!b.outcome.empty() || b.action.empty()) continue;
      add(RecoverySignalQuery(
          b.action == "cancel" ? RecoverySignal::kCancel : RecoverySignal::kCancelIfActive, b.pid,
          b.backend_start));
    }
    for (const model::RecoveryBackend& b : op.backends) {
      if (!b.outcome.empty() || b.action != "terminate") continue;
      add(RecoverySignalQuery(RecoverySignal::kTerminate, b.pid, b.backend_start));
    }
  }

  const common::Clock& clock_;
};

}  // namespace

std::unique_ptr<RecoveryRunner> MakeRecoveryRunner(const common::Clock& clock) {
  return std::make_unique<LibpqRecoveryRunner>(clock);
}

}  // namespace pgvigil::maintenance
