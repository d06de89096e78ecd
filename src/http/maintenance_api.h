// SPDX-License-Identifier: Apache-2.0
// The maintenance and recovery routes of the JSON API (docs/api.md, "Maintenance" and
// "Recovery"; docs/maintenance.md): submit, list, get and cancel operations, recovery dry runs
// and executions, and the seed-era aliases. The routes parse and validate strictly
// (maintenance_request.h), decide who may do what, and hand the request to a MaintenanceService
// (the daemon's), so http/ knows nothing of the engine. Planning needs a database round trip:
// submissions answer through Response::Deferred, so the loop never waits for the server.
//
// Roles: operator for VACUUM / ANALYZE / REINDEX CONCURRENTLY and recovery dry runs; admin for
// blocking operations (VACUUM FULL, REINDEX without CONCURRENTLY), for `force` and for executing
// recovery. A refusal for the role is recorded in the audit trail (Refuse) and answered 403.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/result.h"
#include "http/maintenance_request.h"
#include "http/router.h"
#include "model/maintenance.h"
#include "store/maintenance_store.h"

namespace pgvigil::http {

class MaintenanceService {
 public:
  using OperationsDone =
      std::function<void(common::Result<std::vector<model::MaintenanceOperation>>)>;
  using OperationDone = std::function<void(common::Result<model::MaintenanceOperation>)>;

  virtual ~MaintenanceService() = default;
  // Plans the request (one operation per object a finding selects), records every operation,
  // queues those planned unless it is a dry run, and calls `done` once, from any thread.
  // Errors: kNotFound (unknown target, or a finding with no object), kInvalidArgument.
  virtual void Submit(model::MaintenanceRequest request, OperationsDone done) = 0;
  // The same for a recovery action (one operation of kind kRecovery).
  virtual void SubmitRecovery(RecoveryApiRequest request, OperationDone done) = 0;
  // Records a request the API refused before planning (the role may not): state kRefused with
  // a "privilege" guard saying why. Quick (one local write); called on the loop.
  virtual common::Result<model::MaintenanceOperation> Refuse(
      const model::MaintenanceRequest& request, const std::string& why) = 0;
  virtual common::Result<std::vector<model::MaintenanceOperation>> List(
      const store::OperationFilter& filter) = 0;
  virtual common::Result<model::MaintenanceOperation> Get(std::int64_t id) = 0;
  // A queued operation ends cancelled without running; a running one is cancelled on the
  // server. kNotFound; kInvalidArgument when it has already finished.
  virtual common::Result<model::MaintenanceOperation> Cancel(std::int64_t id,
                                                             const std::string& by) = 0;
};

// POST|GET /api/v1/maintenance, GET /api/v1/maintenance/{id}, POST
// /api/v1/maintenance/{id}/cancel, POST /api/v1/recovery, POST|GET /api/database/maintenance,
// POST /api/database/optimize. `service` must outlive the router.
common::Status AddMaintenanceRoutes(Router& router, MaintenanceService& service);

}  // namespace pgvigil::http
