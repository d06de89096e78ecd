// SPDX-License-Identifier: Apache-2.0
// The libpq OperationRunner. Plan reads on a read-only session; Execute uses two sessions of
// the maintenance role: one runs the statement (simple query protocol, one statement, never in
// a transaction block: REINDEX CONCURRENTLY and VACUUM refuse to run inside one), the other
// watches it in pg_stat_progress_* and cancels it on request. The statement blocks its thread
// until the server answers, so it runs on a thread of its own while the calling thread watches.
#include "maintenance/operation_runner.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <future>
#include <thread>

#include "common/log.h"
#include "maintenance/guard_facts.h"
#include "maintenance/guards.h"
#include "maintenance/maintenance_sql.h"
#include "maintenance/relation_resolver.h"
#include "maintenance/request_validation.h"
#include "maintenance/statement_builder.h"
#include "pg/libpq_session.h"
#include "pg/quote.h"

namespace pgvigil::maintenance {
namespace {

using model::GuardOutcome;
using model::MaintenanceOperation;
using model::OperationKind;
using model::OperationState;
using std::chrono::milliseconds;

constexpr char kLockNotAvailable[] = "55P03";
constexpr char kQueryCanceled[] = "57014";
constexpr milliseconds kProgressInterval{1000};
constexpr milliseconds kWatchTick{50};

const MaintenancePolicy& PolicyOf(const PlanContext& context) {
  static const MaintenancePolicy kDefault;
  return context.policy != nullptr ? *context.policy : kDefault;
}

MaintenanceOperation Refuse(MaintenanceOperation op, std::string guard, std::string detail) {
  op.guards.push_back({std::move(guard), GuardOutcome::kRefuse, detail});
  op.state = OperationState::kRefused;
  op.message = op.guards.back().guard + ": " + detail;
  return op;
}

// A read-only session for planning: it cannot change anything even by mistake.
pg::SessionOptions PlanSessionOptions(const std::string& dsn) {
  pg::SessionOptions o;
  o.dsn = dsn;
  o.kind = pg::SessionKind::kMonitoring;
  o.application_name = "pgvigil-maintenance";
  return o;
}

class LibpqOperationRunner final : public OperationRunner {
 public:
  explicit LibpqOperationRunner(const common::Clock& clock) : clock_(clock) {}

  MaintenanceOperation Plan(const model::MaintenanceRequest& request,
                            const PlanContext& context) override;
  MaintenanceOperation Execute(MaintenanceOperation planned, const PlanContext& context,
                               const ExecutionObserver& observer,
                               const CancelFlag& cancel) override;

 private:
  // Runs the statement with lock_timeout retries; fills lock_attempts, state, sqlstate,
  // message. `worker` runs it, `watcher` polls progress and cancels.
  void RunStatement(MaintenanceOperation& op, pg::LibpqSession& worker, pg::LibpqSession& watcher,
                    const MaintenancePolicy& policy, const ExecutionObserver& observer,
                    const CancelFlag& cancel);
  // Sleeps `delay`, waking early on a cancel request.
  static bool SleepUnlessCancelled(milliseconds delay, const CancelFlag& cancel);
  void Finish(MaintenanceOperation& op) const;

  const common::Clock& clock_;
};

MaintenanceOperation LibpqOperationRunner::Plan(const model::MaintenanceRequest& request,
                                                const PlanContext& context) {
  const MaintenancePolicy& policy = PolicyOf(context);
  MaintenanceOperation op;
  op.target = request.target;
  op.database = request.database;
  op.kind = request.kind;
  op.options = request.options;
  op.initiator = request.initiator;
  op.initiator_role = request.initiator_role;
  op.forced = request.force;
  op.reason = request.reason;
  op.created_at = context.now;
  op.object = request.schema.empty() ? request.object : request.schema + "." + request.object;

  GuardFacts facts;
  if (common::Status s = ValidateRequest(request); !s.ok()) facts.invalid_request = s.message();
  if (!facts.invalid_request.empty()) {
    op.guards = EvaluateGuards(facts);
    op.state = OperationState::kRefused;
    op.message = RefusalMessage(op.guards);
    return op;
  }

  auto session = pg::LibpqSession::Connect(PlanSessionOptions(context.dsn));
  if (!session.has_value()) {
    op.guards.push_back({"valid_name", GuardOutcome::kPass, "names and options are well-formed"});
    return Refuse(std::move(op), "object_exists",
                  "cannot check on the server: " + session.error().message());
  }
  const pg::ServerInfo& info = (*session)->server_info();
  auto relation = ResolveRelation(**session, request);
  if (!relation.has_value()) {
    facts.resolution_problem = relation.error().message();
  } else {
    facts.relation = *relation;
    op.relation = *relation;
    op.object = DisplayName(*relation);
    facts.server_major = info.server_version_num / 10000;
    facts.is_in_recovery = info.is_in_recovery;
    facts.busy_in_pgvigil = context.busy_in_pgvigil && context.busy_in_pgvigil(relation->table_oid);
    facts.is_blocking = IsBlocking(request.kind, request.options);
    facts.inside_window = InsideAnyWindow(policy.windows, context.now);
    facts.forced = request.force;
    facts.reason = request.reason;
    facts.role = info.current_user;
    facts.is_superuser = info.is_superuser;
    facts.trusted_owners = policy.trusted_owners;
    if (common::Status s = ReadServerFacts(**session, request.kind, facts, op.before); !s.ok()) {
      op.guards = EvaluateGuards(facts);
      return Refuse(std::move(op), "object_exists",
                    "cannot read the table's state on the server: " + s.message());
    }
    op.sql = BuildStatement(request.kind, *relation, request.options, facts.server_major);
  }
  op.guards = EvaluateGuards(facts);
  if (AnyRefusal(op.guards)) {
    op.state = OperationState::kRefused;
    op.message = RefusalMessage(op.guards);
  } else {
    op.state = OperationState::kPlanned;
  }
  return op;
}

bool LibpqOperationRunner::SleepUnlessCancelled(milliseconds delay, const CancelFlag& cancel) {
  const auto until = std::chrono::steady_clock::now() + delay;
  while (std::chrono::steady_clock::now() < until) {
    if (cancel.requested()) return false;
    std::this_thread::sleep_for(std::min<milliseconds>(
        kWatchTick,
        std::chrono::duration_cast<milliseconds>(until - std::chrono::steady_clock::now()) +
            milliseconds(1)));
  }
  return !cancel.requested();
}

void LibpqOperationRunner::Finish(MaintenanceOperation& op) const {
  if (!op.finished_at.has_value()) op.finished_at = clock_.Now();
  op.progress.reset();
}

void LibpqOperationRunner::RunStatement(MaintenanceOperation& op, pg::LibpqSession& worker,
                                        pg::LibpqSession& watcher, const MaintenancePolicy& policy,
                                        const ExecutionObserver& observer,
                                        const CancelFlag& cancel) {
  const int attempts = std::max(1, policy.lock_attempts);
  const std::string worker_pid = std::to_string(worker.backend_pid());
  const pg::Query progress_query{
      "operation_progress", std::string(MaintenanceSql("operation_progress.sql")), {worker_pid}};
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    op.lock_attempts = attempt;
    // The statement alone, as one simple-protocol message: outside any transaction block.
    auto done =
        std::async(std::launch::async, [&worker, sql = op.sql] { return worker.RunSimple(sql); });
    bool cancel_sent = false;
    auto next_progress = std::chrono::steady_clock::now() + kProgressInterval;
    while (done.wait_for(kWatchTick) != std::future_status::ready) {
      if (cancel.requested() && !cancel_sent) {
        // pg_cancel_backend works for the same role without privileges; the server answers
        // the statement with 57014, which ends the wait below.
        cancel_sent = true;
        std::string sql = "/* pgvigil */ SELECT pg_cancel_backend(" + worker_pid + ")";
        if (auto r = watcher.RunSimple(sql); !r.has_value()) {
          common::LogLine(common::LogLevel::kWarn, "maintenance",
                          "cancel of backend " + worker_pid + " failed: " + r.error().message());
        }
      }
      if (std::chrono::steady_clock::now() >= next_progress && observer.on_progress) {
        next_progress = std::chrono::steady_clock::now() + kProgressInterval;
        std::vector<pg::QueryOutcome> out = watcher.RunPipeline({&progress_query, 1});
        if (out[0].status.ok() && out[0].rows.row_count() > 0) {
          model::OperationProgress p;
          p.phase = std::string(out[0].rows.Value(0, 0));
          if (!out[0].rows.IsNull(0, 1)) {
            const std::string_view v = out[0].rows.Value(0, 1);
            double percent = 0;
            if (std::from_chars(v.data(), v.data() + v.size(), percent).ec == std::errc()) {
              p.percent = percent;
            }
          }
          op.progress = p;
          observer.on_progress(op);
        }
      }
    }
    common::Result<pg::ResultSet> result = done.get();
    if (result.has_value()) {
      op.state = OperationState::kCompleted;
      return;
    }
    const common::Status& error = result.error();
    if (cancel.requested() && (error.sqlstate() == kQueryCanceled || cancel_sent)) {
      op.state = OperationState::kCancelled;
      op.message = "cancelled on request";
      return;
    }
    if (error.sqlstate() == kLockNotAvailable && attempt < attempts) {
      // Out of the lock queue again, so queries behind us go on; try once more later.
      if (!SleepUnlessCancelled(policy.lock_retry_delay, cancel)) {
        op.state = OperationState::kCancelled;
        op.message = "cancelled on request (between lock attempts)";
        return;
      }
      continue;
    }
    op.state = OperationState::kFailed;
    op.sqlstate = error.sqlstate();
    op.message = error.message();
    if (error.sqlstate() == kLockNotAvailable) {
      op.message = "could not get the lock within lock_timeout " +
                   std::to_string(policy.lock_timeout.count()) + " ms in " +
                   std::to_string(attempts) + " attempts: " + error.message();
    }
    return;
  }
}

MaintenanceOperation LibpqOperationRunner::Execute(MaintenanceOperation planned,
                                                   const PlanContext& context,
                                                   const ExecutionObserver& observer,
                                                   const CancelFlag& cancel) {
  MaintenanceOperation op = std::move(planned);
  const MaintenancePolicy& policy = PolicyOf(context);
  // The service records its intent (kQueued, kRunning) on the planned operation before it
  // hands it over; anything else (refused, finished) never ran its guards to the end.
  const bool runnable = op.state == OperationState::kPlanned ||
                        op.state == OperationState::kQueued || op.state == OperationState::kRunning;
  if (!runnable || !op.relation.has_value() || op.sql.empty()) {
    op.state = OperationState::kRefused;
    if (op.message.empty()) op.message = "only a planned operation can be executed";
    return op;
  }
  if (cancel.requested()) {
    op.state = OperationState::kCancelled;
    op.message = "cancelled before it started";
    Finish(op);
    return op;
  }
  const model::ResolvedRelation relation = *op.relation;
  auto worker = pg::LibpqSession::Connect(
      pg::MaintenanceSessionOptions(context.dsn, policy.statement_timeout));
  if (!worker.has_value()) {
    op.state = OperationState::kFailed;
    op.message = "cannot connect: " + worker.error().message();
    Finish(op);
    return op;
  }
  pg::SessionOptions watch_options = PlanSessionOptions(context.dsn);
  auto watcher = pg::LibpqSession::Connect(watch_options);
  if (!watcher.has_value()) {
    op.state = OperationState::kFailed;
    op.message = "cannot connect the watching session: " + watcher.error().message();
    Finish(op);
    return op;
  }
  pg::LibpqSession& w = **worker;

  // Held by the worker session for the whole run (a session-level lock survives the
  // statements): another pgvigil that plans or executes on this table sees it and refuses.
  const std::string key = std::to_string(AdvisoryLockKey(relation.table_oid));
  auto locked = w.RunSimple("/* pgvigil */ SELECT pg_try_advisory_lock(" + key + ")");
  if (!locked.has_value()) {
    op.state = OperationState::kFailed;
    op.message = "cannot take pgvigil's advisory lock: " + locked.error().message();
    Finish(op);
    return op;
  }
  if (locked->row_count() != 1 || locked->Value(0, 0) != "t") {
    op = Refuse(std::move(op), "no_conflict_pgvigil",
                "another pgvigil runs an operation on " + DisplayName(relation) +
                    " (its advisory lock is held)");
    Finish(op);
    return op;
  }
  // Re-checks of what may have changed since planning.
  if (w.server_info().is_in_recovery) {
    op = Refuse(std::move(op), "not_standby", "the server is a standby (pg_is_in_recovery)");
    Finish(op);
    return op;
  }
  if (common::Status s = RecheckRelation(w, relation); !s.ok()) {
    op = Refuse(std::move(op), "object_exists", s.message());
    Finish(op);
    return op;
  }
  if (auto conflicts = ReadServerConflicts(w, relation.table_oid);
      conflicts.has_value() && !conflicts->empty()) {
    GuardFacts f;
    f.relation = relation;
    f.server_conflicts = *conflicts;
    for (const model::GuardVerdict& g : EvaluateGuards(f)) {
      if (g.guard == "no_conflict_server") {
        op = Refuse(std::move(op), g.guard, g.detail);
      }
    }
    Finish(op);
    return op;
  }
  if (auto before = ReadFigures(w, relation); before.has_value()) op.before = *before;

  // Each try waits at most lock_timeout in the lock queue, where it would block every query
  // that comes after it. Not REINDEX CONCURRENTLY: it only ever asks for SHARE UPDATE
  // EXCLUSIVE, which no SELECT or DML waits behind, and its later waits (for writers, for old
  // snapshots) are lock waits too: a lock_timeout there would abandon a half-built *_ccnew
  // index on every try.
  const bool concurrent_reindex =
      (op.kind == OperationKind::kReindexIndex || op.kind == OperationKind::kReindexTable) &&
      op.options.concurrently;
  const std::chrono::milliseconds lock_timeout =
      concurrent_reindex ? milliseconds(0) : policy.lock_timeout;
  auto set = w.RunSimple("/* pgvigil */ SET lock_timeout = " +
                         pg::QuoteLiteral(std::to_string(lock_timeout.count()) + "ms"));
  if (!set.has_value()) {
    op.state = OperationState::kFailed;
    op.message = "cannot set lock_timeout: " + set.error().message();
    Finish(op);
    return op;
  }
  // What was invalid before, so that only this run's leftovers are blamed on it.
  std::vector<std::string> invalid_before;
  if (concurrent_reindex) {
    if (auto r = ReadInvalidIndexes(w, relation.table_oid); r.has_value()) invalid_before = *r;
  }
  op.state = OperationState::kRunning;
  op.started_at = clock_.Now();
  if (observer.on_started) observer.on_started(op);

  RunStatement(op, w, **watcher, policy, observer, cancel);
  op.finished_at = clock_.Now();  // the statement's end: the after figures are not its time

  if (op.state != OperationState::kCompleted && concurrent_reindex) {
    // An interrupted REINDEX CONCURRENTLY leaves an invalid *_ccnew index behind: say so,
    // never drop it (the user decides: DROP INDEX CONCURRENTLY it, or REINDEX again).
    if (auto leftovers = ReadInvalidIndexes(**watcher, relation.table_oid); leftovers.has_value()) {
      std::string names;
      for (const std::string& n : *leftovers) {
        if (std::find(invalid_before.begin(), invalid_before.end(), n) != invalid_before.end()) {
          continue;
        }
        names += (names.empty() ? "" : ", ") + n;
      }
      if (!names.empty()) op.message += " (invalid index left behind, not dropped: " + names + ")";
    }
  }
  if (w.is_connected()) {
    (void)w.RunSimple("/* pgvigil */ SELECT pg_advisory_unlock(" + key + ")");
  }
  if (op.state == OperationState::kCompleted) {
    // From 15 a VACUUM's counts are in shared memory when it returns. Before 15 they reach
    // the views through the statistics collector a moment later: give them a short while.
    const bool asynchronous_stats = w.server_info().server_version_num < 150000;
    const auto deadline = std::chrono::steady_clock::now() + milliseconds(2000);
    for (;;) {
      auto after = ReadFigures(**watcher, relation);
      if (after.has_value()) op.after = *after;
      const bool settled = !asynchronous_stats || !after.has_value() ||
                           op.kind != OperationKind::kVacuum || op.options.full ||
                           op.after.dead_tuples != op.before.dead_tuples ||
                           op.before.dead_tuples.value_or(0) == 0;
      if (settled || std::chrono::steady_clock::now() >= deadline) break;
      std::this_thread::sleep_for(milliseconds(200));
      (void)(**watcher).RunSimple("/* pgvigil */ SELECT pg_stat_clear_snapshot()");
    }
  }
  Finish(op);
  return op;
}

}  // namespace

std::unique_ptr<OperationRunner> MakeOperationRunner(const common::Clock& clock) {
  return std::make_unique<LibpqOperationRunner>(clock);
}

}  // namespace pgvigil::maintenance
