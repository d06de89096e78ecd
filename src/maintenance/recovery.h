// SPDX-License-Identifier: Apache-2.0
// Recovery actions (issue 6 §4): cancel statements running longer than N, terminate sessions idle
// or idle in transaction longer than N. Selection is pure (SelectRecoveryBackends, tested with
// data); planning reads pg_stat_activity; executing acts on a pid only when its backend_start
// still equals the dry run's, cancels before it terminates, and never touches pgvigil's own
// sessions, walsenders, autovacuum or other background workers, superusers, or protected roles
// and applications.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "maintenance/operation_runner.h"
#include "maintenance/policy.h"
#include "model/maintenance.h"

namespace pgvigil::maintenance {

struct RecoveryRequest {
  std::string target;
  std::string database;  // empty: every database of the cluster
  std::optional<double> cancel_running_longer_than_s;               // active statements
  std::optional<double> terminate_idle_longer_than_s;               // state idle
  std::optional<double> terminate_idle_in_transaction_longer_than_s;  // idle in transaction (aborted)
  bool dry_run = true;
  // Executing: exactly the backends a dry run listed (pid + backend_start). Empty: select anew
  // and act on what is selected (still pinned by backend_start read in the same step).
  std::vector<model::RecoveryBackend> confirm;
  std::string initiator;
  std::string initiator_role;
};

class RecoveryRunner {
 public:
  virtual ~RecoveryRunner() = default;
  // Kind kRecovery, state kPlanned (backends = what would be hit, guards say what was left out
  // and why) or kRefused (bad request, connection failure).
  virtual model::MaintenanceOperation Plan(const RecoveryRequest& request,
                                           const PlanContext& context) = 0;
  // Acts on `planned.backends`; each gets its outcome. State kCompleted (even when some were
  // gone: their outcome says so) or kFailed.
  virtual model::MaintenanceOperation Execute(model::MaintenanceOperation planned,
                                              const PlanContext& context) = 0;
};

std::unique_ptr<RecoveryRunner> MakeRecoveryRunner(const common::Clock& clock);

}  // namespace pgvigil::maintenance
