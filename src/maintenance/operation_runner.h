// SPDX-License-Identifier: Apache-2.0
// Plans and runs ONE maintenance operation (VACUUM / ANALYZE / REINDEX) on one relation, on a
// session of its own opened with the maintenance DSN (never the monitoring session).
//
// Plan validates the request, resolves the object on the server by exact name (pg_class /
// pg_namespace, then pg::QuoteQualifiedName of what the server returned), runs every guard and
// builds the exact SQL; it never runs maintenance SQL, so it IS the dry run. Execute runs a
// planned operation: takes pgvigil's advisory lock on the table (so two daemons never collide),
// re-checks what can have changed since planning (same oid, no conflicting progress row), reads
// the before figures, runs the statement with lock_timeout retries, reads the after figures.
//
// Blocking: the daemon calls both from its maintenance threads; the CLI from its main thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/clock.h"
#include "maintenance/policy.h"
#include "model/maintenance.h"

namespace pgvigil::maintenance {

struct PlanContext {
  std::string dsn;  // the maintenance DSN of the target's database (secrets inside; never logged)
  const MaintenancePolicy* policy = nullptr;
  common::Timestamp now{};
  // True when pgvigil itself already runs an operation on this table oid of this database (the
  // daemon's registry; the advisory lock covers other daemons). May be empty (the CLI).
  std::function<bool(std::uint32_t table_oid)> busy_in_pgvigil;
};

// Set from another thread to stop an operation: a queued one never starts; a running one is
// cancelled on the server (PQcancel of the maintenance session's backend) and ends kCancelled.
class CancelFlag {
 public:
  void Request() { requested_.store(true); }
  bool requested() const { return requested_.load(); }

 private:
  std::atomic<bool> requested_{false};
};

// Called from the executing thread.
struct ExecutionObserver {
  std::function<void(const model::MaintenanceOperation&)> on_started;   // state kRunning
  std::function<void(const model::MaintenanceOperation&)> on_progress;  // progress filled in
};

class OperationRunner {
 public:
  virtual ~OperationRunner() = default;
  // op.state is kPlanned (every guard passed or warned) or kRefused (message: the refusing
  // guards). op.sql, op.guards, op.object, op.before are filled in. Never throws; connection
  // failures are a refusal with the reason.
  virtual model::MaintenanceOperation Plan(const model::MaintenanceRequest& request,
                                           const PlanContext& context) = 0;
  // Runs `planned` (state kPlanned, or kQueued / kRunning when the caller recorded its intent
  // on it), with `relation` and `sql` as Plan filled them in: Execute acts on that oid and runs
  // that text, after checking the oid still bears that name. Returns it with state kCompleted,
  // kFailed (sqlstate, message), kCancelled or kRefused (a guard failed at execution time),
  // started_at, finished_at, lock_attempts, after figures.
  virtual model::MaintenanceOperation Execute(model::MaintenanceOperation planned,
                                              const PlanContext& context,
                                              const ExecutionObserver& observer,
                                              const CancelFlag& cancel) = 0;
};

// The real runner, on libpq.
std::unique_ptr<OperationRunner> MakeOperationRunner(const common::Clock& clock);

}  // namespace pgvigil::maintenance
