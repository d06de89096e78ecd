// SPDX-License-Identifier: Apache-2.0
#include "daemon/maintenance_service.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/log.h"
#include "daemon/finding_objects.h"
#include "pg/dsn.h"
#include "store/operation_json.h"

namespace pgvigil::daemon {
namespace {

using model::OperationState;

// Why an operation ended as it did, for the log line.
std::string Describe(const model::MaintenanceOperation& op) {
  return fmt::format("operation {} {} of {} on target {} database {} by {} ({}): {}", op.id,
                     model::OperationKindName(op.kind), op.object.empty() ? "-" : op.object,
                     op.target, op.database.empty() ? "(main)" : op.database, op.initiator,
                     op.initiator_role, model::OperationStateName(op.state));
}

// Fills what the service knows better than the runner (or what a failing runner left empty).
void FillFromRequest(model::MaintenanceOperation& op, const std::string& target,
                     const std::string& database, const std::string& initiator,
                     const std::string& role, common::Timestamp now) {
  op.target = target;
  if (op.database.empty()) op.database = database;
  if (op.initiator.empty()) op.initiator = initiator;
  if (op.initiator_role.empty()) op.initiator_role = role;
  if (op.created_at == common::Timestamp{}) op.created_at = now;
}

// The database a DSN names ("" when it names none: libpq then uses the user's name).
std::string MainDatabase(const std::string& dsn) {
  auto keywords = pg::ParseDsn(dsn);
  if (!keywords.has_value()) return {};
  const auto it = keywords->find("dbname");
  return it == keywords->end() ? std::string() : it->second;
}

}  // namespace

MaintenanceService::MaintenanceService(MaintenanceServiceOptions options,
                                       store::MaintenanceStore& store,
                                       const http::StateSource& state,
                                       maintenance::OperationRunner& runner,
                                       maintenance::RecoveryRunner& recovery,
                                       const common::Clock& clock, EventSink* events)
    : options_(std::move(options)),
      store_(store),
      state_(state),
      runner_(runner),
      recovery_(recovery),
      clock_(clock),
      events_(events) {}

MaintenanceService::~MaintenanceService() { Stop(); }

common::Result<std::vector<model::MaintenanceOperation>> MaintenanceService::Start() {
  PGV_ASSIGN_OR_RETURN(std::vector<model::MaintenanceOperation> reconciled,
                       store_.ReconcileUnfinished(clock_.Now()));
  for (const model::MaintenanceOperation& op : reconciled) {
    common::Log(common::LogLevel::kWarn, "maintenance",
                "{}: the daemon stopped between its intent and its outcome; check the object "
                "on the server before running it again",
                Describe(op));
    Publish(op);
  }
  for (const MaintenanceTarget& t : options_.targets) {
    if (t.uses_monitoring_dsn) {
      common::Log(common::LogLevel::kInfo, "maintenance",
                  "target {}: no maintenance_dsn; maintenance and recovery use the monitoring "
                  "connection's role",
                  t.name);
    }
  }
  std::lock_guard lock(mu_);
  if (started_) return reconciled;
  {
    std::lock_guard planner_lock(planner_mu_);  // Submit reads started_ under planner_mu_
    started_ = true;
  }
  planner_ = std::thread([this] {
    while (true) {
      std::function<void()> job;
      {
        std::unique_lock planner_lock(planner_mu_);
        planner_wake_.wait(planner_lock, [this] { return stopping_ || !planner_jobs_.empty(); });
        if (stopping_) return;
        job = std::move(planner_jobs_.front());
        planner_jobs_.pop_front();
      }
      job();
    }
  });
  const int threads = std::max(1, options_.max_concurrent);
  for (int i = 0; i < threads; ++i) executors_.emplace_back([this] { ExecutionLoop(); });
  return reconciled;
}

void MaintenanceService::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!started_ || stopping_) return;
    std::lock_guard planner_lock(planner_mu_);
    stopping_ = true;
    // Queued operations end cancelled; running ones are cancelled on the server.
    for (auto& [id, active] : active_) {
      active.cancel->Request();
      if (active.cancelled_by.empty()) active.cancelled_by = "the daemon stopping";
    }
  }
  planner_wake_.notify_all();
  queue_wake_.notify_all();
  if (planner_.joinable()) planner_.join();
  for (std::thread& t : executors_) {
    if (t.joinable()) t.join();
  }
  std::lock_guard planner_lock(planner_mu_);
  planner_jobs_.clear();  // never started: their HTTP connections are closed by the server
}

const MaintenanceTarget* MaintenanceService::FindTarget(const std::string& name) const {
  if (name.empty() && options_.targets.size() == 1) return &options_.targets.front();
  for (const MaintenanceTarget& t : options_.targets) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

common::Result<const MaintenanceTarget*> MaintenanceService::RequireTarget(
    const std::string& name) const {
  if (const MaintenanceTarget* t = FindTarget(name)) return t;
  return common::NotFoundError(
      name.empty() ? std::string("'target' is required (several targets are configured)")
                   : fmt::format("no target named '{}'", name));
}

maintenance::PlanContext MaintenanceService::ContextFor(const MaintenanceTarget& target,
                                                        const std::string& database,
                                                        std::int64_t op_id,
                                                        std::shared_ptr<std::uint32_t> asked) {
  maintenance::PlanContext context;
  context.dsn = target.dsn;
  if (!database.empty()) {
    auto dsn = pg::DsnForDatabase(target.dsn, database);
    // A DSN that cannot take another database is refused by the caller before planning.
    context.dsn = dsn.has_value() ? *dsn : std::string();
  }
  context.policy = &options_.policy;
  context.now = clock_.Now();
  context.busy_in_pgvigil = [this, target = target.name, database, op_id,
                             asked](std::uint32_t table_oid) {
    if (asked != nullptr) *asked = table_oid;
    std::lock_guard lock(mu_);
    for (const auto& [id, active] : active_) {
      if (id != op_id && std::get<0>(active.table) == target &&
          std::get<1>(active.table) == database && std::get<2>(active.table) == table_oid) {
        return true;
      }
    }
    return false;
  };
  return context;
}

void MaintenanceService::Submit(model::MaintenanceRequest request, OperationsDone done) {
  auto found = RequireTarget(request.target);
  if (!found.has_value()) return done(found.error());
  const MaintenanceTarget* target = *found;
  request.target = target->name;
  std::unique_lock planner_lock(planner_mu_);
  if (stopping_ || !started_) {
    planner_lock.unlock();
    return done(common::UnavailableError("maintenance is not running (the daemon is stopping)"));
  }
  planner_jobs_.push_back([this, target, request = std::move(request), done = std::move(done)] {
    std::vector<model::MaintenanceRequest> requests;
    if (!request.finding.empty()) {
      const auto state = state_.Target(target->name);
      if (state == nullptr) {
        return done(common::NotFoundError(fmt::format("no target named '{}'", target->name)));
      }
      auto expanded = ExpandFinding(request, *state);
      if (!expanded.has_value()) return done(expanded.error());
      requests = std::move(expanded).value();
    } else {
      requests.push_back(request);
    }
    done(PlanAll(*target, std::move(requests)));
  });
  planner_lock.unlock();
  planner_wake_.notify_one();
}

std::vector<model::MaintenanceOperation> MaintenanceService::PlanAll(
    const MaintenanceTarget& target, std::vector<model::MaintenanceRequest> requests) {
  std::vector<model::MaintenanceOperation> out;
  for (model::MaintenanceRequest& request : requests) {
    // The DSN's own database by name: the audit says where it ran, and two requests for the
    // same table (one naming the database, one not) meet in the registry.
    if (request.database.empty()) request.database = MainDatabase(target.dsn);
    auto asked = std::make_shared<std::uint32_t>(0);
    const maintenance::PlanContext context = ContextFor(target, request.database, 0, asked);
    model::MaintenanceOperation op;
    if (context.dsn.empty()) {
      op.kind = request.kind;
      op.object = request.schema.empty() ? request.object : request.schema + "." + request.object;
      op.options = request.options;
      op.forced = request.force;
      op.reason = request.reason;
      op.state = OperationState::kRefused;
      op.message = "the target's DSN cannot be pointed at database " + request.database;
      op.guards.push_back({"object_exists", model::GuardOutcome::kRefuse, op.message});
    } else {
      op = runner_.Plan(request, context);
    }
    FillFromRequest(op, target.name, request.database, request.initiator, request.initiator_role,
                    clock_.Now());
    op.forced = request.force;
    op.reason = request.reason;
    if (target.uses_monitoring_dsn) {
      op.guards.push_back({"privilege", model::GuardOutcome::kWarn,
                           fmt::format("target {} has no maintenance_dsn: the operation runs as "
                                       "the monitoring connection's role",
                                       target.name)});
    }
    if (!request.dry_run && op.state == OperationState::kPlanned) {
      op.state = OperationState::kQueued;
      std::lock_guard lock(mu_);
      if (stopping_) {
        op.state = OperationState::kCancelled;
        op.message = "the daemon stopped before the operation could start";
        op.finished_at = clock_.Now();
        Record(op);
        out.push_back(std::move(op));
        continue;
      }
      // The intent is on disk before the operation can run; registered at once, so the next
      // plan sees the table busy.
      if (Record(op) == 0) {
        out.push_back(std::move(op));
        continue;
      }
      Active active;
      active.op = op;
      active.table = {target.name, request.database, *asked};
      active_[op.id] = std::move(active);
      queue_.push_back(op.id);
      queue_wake_.notify_one();
    } else {
      Record(op);
    }
    out.push_back(std::move(op));
  }
  return out;
}

std::int64_t MaintenanceService::Record(model::MaintenanceOperation& op) {
  if (op.id == 0) {
    auto id = store_.Insert(op);
    if (!id.has_value()) {
      common::Log(common::LogLevel::kError, "maintenance", "cannot record {}: {}", Describe(op),
                  id.error().message());
      // Without its intent on disk an operation must not run.
      op.state = OperationState::kRefused;
      op.message = "the audit trail could not record this operation: " + id.error().message();
      return 0;
    }
    op.id = *id;
  } else if (common::Status s = store_.Update(op); !s.ok()) {
    common::Log(common::LogLevel::kError, "maintenance", "cannot record {}: {}", Describe(op),
                s.message());
  }
  if (model::IsFinal(op.state)) {
    // Its own mutex: Record is called with and without mu_ held.
    std::lock_guard lock(outcomes_mu_);
    ++outcomes_[{std::string(model::OperationKindName(op.kind)),
                 std::string(model::OperationStateName(op.state))}];
  }
  const common::LogLevel level =
      op.state == OperationState::kFailed || op.state == OperationState::kUnknown
          ? common::LogLevel::kWarn
          : common::LogLevel::kInfo;
  common::Log(level, "maintenance", "{}{}", Describe(op),
              op.message.empty() ? std::string() : " — " + op.message);
  Publish(op);
  return op.id;
}

void MaintenanceService::Publish(const model::MaintenanceOperation& op) {
  if (events_ != nullptr) events_->Publish("operation", store::OperationJsonText(op), op.target);
}

void MaintenanceService::ExecutionLoop() {
  while (true) {
    std::int64_t id = 0;
    {
      std::unique_lock lock(mu_);
      queue_wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to finish
      id = queue_.front();
      queue_.pop_front();
    }
    Execute(id);
  }
}

void MaintenanceService::Execute(std::int64_t id) {
  model::MaintenanceOperation op;
  std::shared_ptr<maintenance::CancelFlag> cancel;
  std::string cancelled_by;
  {
    std::lock_guard lock(mu_);
    const auto it = active_.find(id);
    if (it == active_.end()) return;
    op = it->second.op;
    cancel = it->second.cancel;
    cancelled_by = it->second.cancelled_by;
  }
  const MaintenanceTarget* target = FindTarget(op.target);
  if (cancel->requested() || target == nullptr) {
    op.state = OperationState::kCancelled;
    op.message = fmt::format("cancelled by {} before it started",
                             cancelled_by.empty() ? "request" : cancelled_by);
    return Finish(id, std::move(op));
  }
  const maintenance::PlanContext context = ContextFor(*target, op.database, id, nullptr);
  maintenance::ExecutionObserver observer;
  observer.on_started = [this, id](const model::MaintenanceOperation& running) {
    model::MaintenanceOperation copy = running;
    copy.id = id;
    {
      std::lock_guard lock(mu_);
      if (auto it = active_.find(id); it != active_.end()) it->second.op = copy;
    }
    Record(copy);
  };
  observer.on_progress = [this, id](const model::MaintenanceOperation& progress) {
    model::MaintenanceOperation copy = progress;
    copy.id = id;
    {
      std::lock_guard lock(mu_);
      if (auto it = active_.find(id); it != active_.end()) it->second.op = copy;
    }
    Publish(copy);  // progress is shown live, not written: the outcome is what is audited
  };
  model::MaintenanceOperation planned = op;
  planned.state = OperationState::kPlanned;
  model::MaintenanceOperation done =
      runner_.Execute(std::move(planned), context, observer, *cancel);
  done.id = id;
  done.target = op.target;
  if (done.state == OperationState::kCancelled) {
    // Who asked belongs in the audit, whatever words the runner used.
    std::lock_guard lock(mu_);
    if (auto it = active_.find(id); it != active_.end() && !it->second.cancelled_by.empty()) {
      const std::string by = "cancel requested by " + it->second.cancelled_by;
      done.message = done.message.empty() ? by : done.message + " (" + by + ")";
    }
  }
  Finish(id, std::move(done));
}

void MaintenanceService::Finish(std::int64_t id, model::MaintenanceOperation op) {
  op.id = id;
  if (!model::IsFinal(op.state)) {
    // A runner must end every operation; if one did not, say so rather than leave it running.
    op.state = OperationState::kFailed;
    op.message = "the runner returned without an outcome";
  }
  if (!op.finished_at.has_value()) op.finished_at = clock_.Now();
  op.progress.reset();
  {
    // Final in memory first: a cancel from now on finds nothing left to cancel.
    std::lock_guard lock(mu_);
    if (auto it = active_.find(id); it != active_.end()) it->second.op = op;
  }
  Record(op);
  std::lock_guard lock(mu_);
  active_.erase(id);
}

void MaintenanceService::SubmitRecovery(http::RecoveryApiRequest request, OperationDone done) {
  auto found = RequireTarget(request.target);
  if (!found.has_value()) return done(found.error());
  const MaintenanceTarget* target = *found;
  std::unique_lock planner_lock(planner_mu_);
  if (stopping_ || !started_) {
    planner_lock.unlock();
    return done(common::UnavailableError("maintenance is not running (the daemon is stopping)"));
  }
  planner_jobs_.push_back([this, target, request = std::move(request), done = std::move(done)] {
    maintenance::RecoveryRequest r;
    r.target = target->name;
    r.database = request.database;
    r.cancel_running_longer_than_s = request.cancel_running_longer_than_s;
    r.terminate_idle_longer_than_s = request.terminate_idle_longer_than_s;
    r.terminate_idle_in_transaction_longer_than_s =
        request.terminate_idle_in_transaction_longer_than_s;
    r.dry_run = request.dry_run;
    r.confirm = request.confirm;
    r.initiator = request.initiator;
    r.initiator_role = request.initiator_role;
    // Recovery reads pg_stat_activity of the whole cluster: the target's own database.
    const maintenance::PlanContext context = ContextFor(*target, "", 0, nullptr);
    model::MaintenanceOperation op = recovery_.Plan(r, context);
    op.kind = model::OperationKind::kRecovery;
    FillFromRequest(op, target->name, request.database, request.initiator, request.initiator_role,
                    clock_.Now());
    if (request.dry_run || op.state != OperationState::kPlanned) {
      Record(op);
      return done(op);
    }
    op.state = OperationState::kQueued;
    if (Record(op) == 0) return done(op);
    done(op);
    RunRecovery(*target, std::move(op));
  });
  planner_lock.unlock();
  planner_wake_.notify_one();
}

void MaintenanceService::RunRecovery(const MaintenanceTarget& target,
                                     model::MaintenanceOperation op) {
  const std::int64_t id = op.id;
  op.state = OperationState::kRunning;
  op.started_at = clock_.Now();
  Record(op);
  model::MaintenanceOperation planned = op;
  planned.state = OperationState::kPlanned;
  model::MaintenanceOperation done =
      recovery_.Execute(std::move(planned), ContextFor(target, "", id, nullptr));
  done.id = id;
  done.kind = model::OperationKind::kRecovery;
  done.target = target.name;
  if (!done.started_at.has_value()) done.started_at = op.started_at;
  if (!model::IsFinal(done.state)) {
    done.state = OperationState::kFailed;
    done.message = "the runner returned without an outcome";
  }
  if (!done.finished_at.has_value()) done.finished_at = clock_.Now();
  Record(done);
}

common::Result<model::MaintenanceOperation> MaintenanceService::Refuse(
    const model::MaintenanceRequest& request, const std::string& why) {
  model::MaintenanceOperation op;
  const MaintenanceTarget* target = FindTarget(request.target);
  op.target = target != nullptr ? target->name : request.target;
  op.database = request.database;
  op.kind = request.kind;
  op.object = !request.finding.empty() ? "finding " + request.finding
              : request.schema.empty() ? request.object
                                       : request.schema + "." + request.object;
  op.options = request.options;
  op.guards.push_back({"privilege", model::GuardOutcome::kRefuse, why});
  op.state = OperationState::kRefused;
  op.initiator = request.initiator;
  op.initiator_role = request.initiator_role;
  op.forced = request.force;
  op.reason = request.reason;
  op.created_at = clock_.Now();
  op.finished_at = op.created_at;
  op.message = why;
  if (Record(op) == 0) return common::UnavailableError(op.message);
  return op;
}

common::Result<std::vector<model::MaintenanceOperation>> MaintenanceService::List(
    const store::OperationFilter& filter) {
  PGV_ASSIGN_OR_RETURN(std::vector<model::MaintenanceOperation> ops, store_.List(filter));
  std::lock_guard lock(mu_);
  for (model::MaintenanceOperation& op : ops) {
    // The live state of an active operation (its progress is not written to the store).
    if (const auto it = active_.find(op.id); it != active_.end()) op = it->second.op;
  }
  return ops;
}

common::Result<model::MaintenanceOperation> MaintenanceService::Get(std::int64_t id) {
  {
    std::lock_guard lock(mu_);
    if (const auto it = active_.find(id); it != active_.end()) return it->second.op;
  }
  return store_.Get(id);
}

common::Result<model::MaintenanceOperation> MaintenanceService::Cancel(std::int64_t id,
                                                                       const std::string& by) {
  std::unique_lock lock(mu_);
  const auto it = active_.find(id);
  if (it != active_.end() && model::IsFinal(it->second.op.state)) {
    return common::InvalidArgumentError(
        fmt::format("operation {} is {}: there is nothing to cancel", id,
                    model::OperationStateName(it->second.op.state)));
  }
  if (it == active_.end()) {
    lock.unlock();
    PGV_ASSIGN_OR_RETURN(model::MaintenanceOperation stored, store_.Get(id));
    return common::InvalidArgumentError(
        fmt::format("operation {} is {}: there is nothing to cancel", id,
                    model::OperationStateName(stored.state)));
  }
  it->second.cancel->Request();
  it->second.cancelled_by = by;
  const auto queued = std::find(queue_.begin(), queue_.end(), id);
  if (queued != queue_.end()) {
    // Not yet taken by a thread: it ends here, without running.
    queue_.erase(queued);
    model::MaintenanceOperation op = it->second.op;
    lock.unlock();
    op.state = OperationState::kCancelled;
    op.message = fmt::format("cancelled by {} before it started", by);
    Finish(id, op);
    return Get(id);
  }
  model::MaintenanceOperation op = it->second.op;
  lock.unlock();
  common::Log(common::LogLevel::kInfo, "maintenance", "operation {}: cancel requested by {}", id,
              by);
  return op;
}

std::vector<http::ExtraFamily> MaintenanceService::Metrics() const {
  http::ExtraFamily active;
  active.name = "pgvigil_maintenance_operations";
  active.type = http::MetricType::kGauge;
  active.help = "Maintenance and recovery operations queued or running now.";
  {
    std::lock_guard lock(mu_);
    double queued = 0, running = 0;
    for (const auto& [id, a] : active_) {
      (a.op.state == OperationState::kRunning ? running : queued) += 1;
    }
    active.samples.push_back({{{"state", "queued"}}, queued});
    active.samples.push_back({{{"state", "running"}}, running});
  }
  http::ExtraFamily total;
  total.name = "pgvigil_maintenance_operations_total";
  total.type = http::MetricType::kCounter;
  total.help = "Maintenance and recovery operations that ended, by operation and final state.";
  {
    std::lock_guard lock(outcomes_mu_);
    for (const auto& [key, n] : outcomes_) {
      total.samples.push_back(
          {{{"operation", key.first}, {"state", key.second}}, static_cast<double>(n)});
    }
  }
  return {std::move(active), std::move(total)};
}

std::size_t MaintenanceService::ActiveCount() const {
  std::lock_guard lock(mu_);
  return active_.size();
}

}  // namespace pgvigil::daemon
