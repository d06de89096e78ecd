// SPDX-License-Identifier: Apache-2.0
// `pgvigil maintain` without the printing: plan one maintenance operation on one relation with
// every guard, then (unless a dry run or refused) execute it, on the maintenance engine
// (maintenance/operation_runner.h). Blocking; the CLI's only caller.
#pragma once

#include <functional>
#include <string>

#include "common/result.h"
#include "maintenance/operation_runner.h"
#include "maintenance/policy.h"
#include "model/maintenance.h"

namespace pgvigil::daemon {

struct MaintainOnceOptions {
  std::string dsn;                    // the maintenance role's DSN (secrets inside; never printed)
  std::string database;               // empty: the DSN's database
  model::MaintenanceRequest request;  // request.dry_run: plan only
  maintenance::MaintenancePolicy policy;
  // Called with the running operation about once a second (progress filled in).
  std::function<void(const model::MaintenanceOperation&)> on_progress;
  // Set (from a signal handler, say) to cancel the running statement.
  const maintenance::CancelFlag* cancel = nullptr;
};

// The operation as it ended: kPlanned (a dry run), kRefused, kCompleted, kFailed or
// kCancelled. kInvalidArgument only for a DSN that does not parse with --database.
common::Result<model::MaintenanceOperation> MaintainOnce(const MaintainOnceOptions& options);

}  // namespace pgvigil::daemon
