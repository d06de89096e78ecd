// SPDX-License-Identifier: Apache-2.0
#include "daemon/maintain_once.h"

#include "common/clock.h"
#include "pg/dsn.h"

namespace pgvigil::daemon {

common::Result<model::MaintenanceOperation> MaintainOnce(const MaintainOnceOptions& options) {
  std::string dsn = options.dsn;
  if (!options.database.empty()) {
    auto for_database = pg::DsnForDatabase(dsn, options.database);
    if (!for_database.has_value()) return for_database.error();
    dsn = *for_database;
  }
  const common::Clock& clock = common::SystemClock::Instance();
  auto runner = maintenance::MakeOperationRunner(clock);
  maintenance::PlanContext context;
  context.dsn = dsn;
  context.policy = &options.policy;
  context.now = clock.Now();
  model::MaintenanceRequest request = options.request;
  if (request.initiator.empty()) request.initiator = "cli";
  if (request.initiator_role.empty()) request.initiator_role = "cli";
  if (request.database.empty()) request.database = options.database;
  model::MaintenanceOperation op = runner->Plan(request, context);
  if (request.dry_run || op.state != model::OperationState::kPlanned) return op;
  maintenance::ExecutionObserver observer;
  observer.on_progress = options.on_progress;
  static const maintenance::CancelFlag kNeverCancelled;
  return runner->Execute(std::move(op), context, observer,
                         options.cancel != nullptr ? *options.cancel : kNeverCancelled);
}

}  // namespace pgvigil::daemon
