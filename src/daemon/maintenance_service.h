// SPDX-License-Identifier: Apache-2.0
// MaintenanceService runs maintenance and recovery operations for the daemon (issue 6,
// docs/maintenance.md) and implements http::MaintenanceService for the API.
//
//  - Submit expands a `finding` into one request per object of the target's latest analysis
//    (finding_objects.h), then plans each on the PLANNER thread through the OperationRunner
//    (a database round trip, never on the loop), and records every operation in the store —
//    dry runs and refusals too, they are audit. A planned, non-dry-run operation is recorded as
//    queued (the intent, durable, before any SQL) and queued for execution.
//  - max_concurrent EXECUTION threads take queued operations in order: running (recorded),
//    progress (published only), outcome (recorded). A registry of the tables pgvigil works on,
//    by (target, database, table oid), answers PlanContext::busy_in_pgvigil.
//  - Cancel: a queued operation ends cancelled without running; a running one gets its
//    CancelFlag set (the runner cancels it on the server).
//  - Recovery: planned on the planner thread; an execution is recorded queued, answered, then
//    run on the same thread (recovery actions are short: a signal per backend).
//  - Every state change and progress update is published as the SSE event "operation".
//  - Start reconciles what a crash left queued or running (→ "unknown"), logs and publishes it.
// The runners are injected (interfaces), so tests script them; app.cc passes the real ones.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "common/clock.h"
#include "daemon/sample_processor.h"
#include "http/maintenance_api.h"
#include "http/prometheus_exposition.h"
#include "http/state_source.h"
#include "maintenance/operation_runner.h"
#include "maintenance/policy.h"
#include "maintenance/recovery.h"
#include "store/maintenance_store.h"

namespace pgvigil::daemon {

struct MaintenanceTarget {
  std::string name;
  // The DSN maintenance connects with (secrets inside; never logged): the target's
  // maintenance_dsn, or its monitoring dsn when it has none (uses_monitoring_dsn).
  std::string dsn;
  bool uses_monitoring_dsn = false;
};

struct MaintenanceServiceOptions {
  maintenance::MaintenancePolicy policy;
  std::vector<MaintenanceTarget> targets;
  int max_concurrent = 1;
};

class MaintenanceService final : public http::MaintenanceService {
 public:
  // Nothing is owned; all must outlive the service. `events` may be null.
  MaintenanceService(MaintenanceServiceOptions options, store::MaintenanceStore& store,
                     const http::StateSource& state, maintenance::OperationRunner& runner,
                     maintenance::RecoveryRunner& recovery, const common::Clock& clock,
                     EventSink* events);
  ~MaintenanceService() override;  // Stop()
  MaintenanceService(const MaintenanceService&) = delete;
  MaintenanceService& operator=(const MaintenanceService&) = delete;

  // Reconciles the operations a crash left unfinished (returned, logged and published as
  // "unknown"), then starts the threads. Call once, before the API serves.
  common::Result<std::vector<model::MaintenanceOperation>> Start();
  // Queued operations end cancelled, running ones are cancelled on the server and recorded;
  // waits for the threads. Idempotent.
  void Stop();

  // http::MaintenanceService (thread-safe).
  void Submit(model::MaintenanceRequest request, OperationsDone done) override;
  void SubmitRecovery(http::RecoveryApiRequest request, OperationDone done) override;
  common::Result<model::MaintenanceOperation> Refuse(const model::MaintenanceRequest& request,
                                                     const std::string& why) override;
  common::Result<std::vector<model::MaintenanceOperation>> List(
      const store::OperationFilter& filter) override;
  common::Result<model::MaintenanceOperation> Get(std::int64_t id) override;
  common::Result<model::MaintenanceOperation> Cancel(std::int64_t id,
                                                     const std::string& by) override;

  // Operations queued or running now (for /metrics and tests).
  std::size_t ActiveCount() const;
  // pgvigil_maintenance_operations{state} (queued, running now) and
  // pgvigil_maintenance_operations_total{operation,state} (final states since start).
  std::vector<http::ExtraFamily> Metrics() const;

 private:
  struct Active {
    model::MaintenanceOperation op;  // the latest state (with progress while running)
    std::shared_ptr<maintenance::CancelFlag> cancel = std::make_shared<maintenance::CancelFlag>();
    std::tuple<std::string, std::string, std::uint32_t> table;  // registry key; oid 0: none
    bool cancelled_by_request = false;
    std::string cancelled_by;
  };

  const MaintenanceTarget* FindTarget(const std::string& name) const;
  // FindTarget, or the kNotFound error the API answers (404) when there is no such target.
  common::Result<const MaintenanceTarget*> RequireTarget(const std::string& name) const;
  // The planning context of `target`/`database` for the operation `op_id` (0 while planning);
  // `asked` receives the table oid the runner checked.
  maintenance::PlanContext ContextFor(const MaintenanceTarget& target, const std::string& database,
                                      std::int64_t op_id, std::shared_ptr<std::uint32_t> asked);
  std::vector<model::MaintenanceOperation> PlanAll(const MaintenanceTarget& target,
                                                   std::vector<model::MaintenanceRequest> requests);
  void RunRecovery(const MaintenanceTarget& target, model::MaintenanceOperation op);
  void ExecutionLoop();
  void Execute(std::int64_t id);
  // Records `op` (insert when id is 0), publishes it and logs a final state. Returns the id.
  std::int64_t Record(model::MaintenanceOperation& op);
  void Publish(const model::MaintenanceOperation& op);
  void Finish(std::int64_t id, model::MaintenanceOperation op);

  MaintenanceServiceOptions options_;
  store::MaintenanceStore& store_;
  const http::StateSource& state_;
  maintenance::OperationRunner& runner_;
  maintenance::RecoveryRunner& recovery_;
  const common::Clock& clock_;
  EventSink* events_;

  // The planner: one thread, so that planning and registering a table cannot race.
  std::mutex planner_mu_;
  std::condition_variable planner_wake_;
  std::deque<std::function<void()>> planner_jobs_;  // guarded by planner_mu_
  std::thread planner_;

  mutable std::mutex mu_;
  std::condition_variable queue_wake_;
  std::map<std::int64_t, Active> active_;  // guarded by mu_; queued and running operations
  std::deque<std::int64_t> queue_;         // guarded by mu_; ids waiting for a thread
  bool stopping_ = false;                  // guarded by mu_ (and planner_mu_ for the planner)
  bool started_ = false;                   // written under mu_ and planner_mu_
  std::vector<std::thread> executors_;
  // Operations that reached a final state since start, by (operation, state).
  mutable std::mutex outcomes_mu_;
  std::map<std::pair<std::string, std::string>, std::int64_t> outcomes_;  // outcomes_mu_
};

}  // namespace pgvigil::daemon
