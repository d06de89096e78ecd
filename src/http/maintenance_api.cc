// SPDX-License-Identifier: Apache-2.0
#include "http/maintenance_api.h"

#include <charconv>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "store/operation_json.h"

namespace pgvigil::http {
namespace {

using model::OperationState;
using nlohmann::json;

Response JsonResponse(const json& body, int status = 200) {
  return Response::Json(body.dump(-1, ' ', false, json::error_handler_t::replace), status);
}

ApiError ErrorOf(const common::Status& s) {
  switch (s.code()) {
    case common::StatusCode::kNotFound:
      return NotFound(s.message());
    case common::StatusCode::kInvalidArgument:
      return BadRequest(s.message());
    case common::StatusCode::kPermissionDenied:
      return Forbidden(s.message());
    default:
      return Unavailable(s.message());
  }
}

ApiError Conflict(std::string message) { return {409, "conflict", std::move(message)}; }

json ErrorJson(const ApiError& e) { return {{"code", e.code}, {"message", e.message}}; }

json OperationsJson(const std::vector<model::MaintenanceOperation>& ops) {
  json items = json::array();
  for (const auto& op : ops) items.push_back(store::OperationToJson(op));
  return items;
}

// 200 for a dry run; 202 when something was queued; 409 when every operation was refused.
Response SubmitAnswer(bool dry_run,
                      const common::Result<std::vector<model::MaintenanceOperation>>& result) {
  if (!result.has_value()) return Response::Error(ErrorOf(result.error()));
  const auto& ops = *result;
  json body = {{"operations", OperationsJson(ops)}};
  if (dry_run) return JsonResponse(body, 200);
  const bool all_refused = std::all_of(
      ops.begin(), ops.end(), [](const auto& op) { return op.state == OperationState::kRefused; });
  if (all_refused) {
    const std::string first = ops.empty() ? std::string() : ops.front().message;
    body["error"] = ErrorJson(Conflict(
        ops.size() == 1
            ? fmt::format("the operation was refused: {}", first)
            : fmt::format("all {} operations were refused; the first: {}", ops.size(), first)));
    return JsonResponse(body, 409);
  }
  return JsonResponse(body, 202);
}

// The role's verdict on a request: empty when allowed, else why not.
std::string RoleRefusal(const model::MaintenanceRequest& request, Role role) {
  if (role >= Role::kAdmin) return {};
  if (request.force) {
    return "forcing an operation outside the maintenance window needs the admin role";
  }
  if (IsBlocking(request)) {
    return fmt::format(
        "{} blocks the table for its whole run (VACUUM FULL, REINDEX without CONCURRENTLY): it "
        "needs the admin role",
        model::OperationKindName(request.kind));
  }
  return {};
}

Response Submit(MaintenanceService& service, const Request& r,
                common::Result<model::MaintenanceRequest> parsed) {
  if (!parsed.has_value()) return Response::Error(BadRequest(parsed.error().message()));
  model::MaintenanceRequest request = std::move(parsed).value();
  request.initiator = r.principal.name;
  request.initiator_role = std::string(RoleName(r.principal.role));
  if (const std::string why = RoleRefusal(request, r.principal.role); !why.empty()) {
    auto recorded = service.Refuse(request, why);
    json body = {{"error", ErrorJson(Forbidden(why))}, {"operations", json::array()}};
    if (recorded.has_value()) body["operations"].push_back(store::OperationToJson(*recorded));
    return JsonResponse(body, 403);
  }
  const bool dry_run = request.dry_run;
  return Response::Deferred([&service, request = std::move(request),
                             dry_run](std::function<void(Response)> respond) mutable {
    service.Submit(std::move(request),
                   [respond = std::move(respond),
                    dry_run](common::Result<std::vector<model::MaintenanceOperation>> result) {
                     respond(SubmitAnswer(dry_run, result));
                   });
  });
}

Response SubmitRecovery(MaintenanceService& service, const Request& r) {
  auto parsed = ParseRecoveryBody(r.body);
  if (!parsed.has_value()) return Response::Error(BadRequest(parsed.error().message()));
  RecoveryApiRequest request = std::move(parsed).value();
  request.initiator = r.principal.name;
  request.initiator_role = std::string(RoleName(r.principal.role));
  if (!request.dry_run && r.principal.role < Role::kAdmin) {
    const std::string why =
        "executing a recovery action needs the admin role (a dry run needs "
        "operator)";
    model::MaintenanceRequest audit;
    audit.target = request.target;
    audit.database = request.database;
    audit.kind = model::OperationKind::kRecovery;
    audit.initiator = request.initiator;
    audit.initiator_role = request.initiator_role;
    auto recorded = service.Refuse(audit, why);
    json body = recorded.has_value() ? store::OperationToJson(*recorded) : json::object();
    body["error"] = ErrorJson(Forbidden(why));
    return JsonResponse(body, 403);
  }
  const bool dry_run = request.dry_run;
  return Response::Deferred([&service, request = std::move(request),
                             dry_run](std::function<void(Response)> respond) mutable {
    service.SubmitRecovery(std::move(request), [respond = std::move(respond), dry_run](
                                                   common::Result<model::MaintenanceOperation> op) {
      if (!op.has_value()) return respond(Response::Error(ErrorOf(op.error())));
      json body = store::OperationToJson(*op);
      if (dry_run) return respond(JsonResponse(body, 200));
      if (op->state == OperationState::kRefused) {
        body["error"] = ErrorJson(Conflict("the recovery action was refused: " + op->message));
        return respond(JsonResponse(body, 409));
      }
      respond(JsonResponse(body, 202));
    });
  });
}

Response List(MaintenanceService& service, const Request& r) {
  store::OperationFilter filter;
  if (const auto type = r.Query("type"); type.has_value() && !type->empty()) {
    if (*type == "history") {
      filter.type = store::OperationFilter::Type::kHistory;
    } else if (*type == "running") {
      filter.type = store::OperationFilter::Type::kRunning;
    } else {
      return Response::Error(
          BadRequest(fmt::format("parameter 'type': '{}' is not history or running", *type)));
    }
  }
  if (const auto limit = r.Query("limit"); limit.has_value() && !limit->empty()) {
    int n = 0;
    const auto [p, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), n);
    if (ec != std::errc() || p != limit->data() + limit->size() || n < 1 || n > 1000) {
      return Response::Error(BadRequest(
          fmt::format("parameter 'limit': '{}' is not a number from 1 to 1000", *limit)));
    }
    filter.limit = n;
  }
  if (const auto t = r.Query("target"); t.has_value() && !t->empty()) filter.target = *t;
  auto ops = service.List(filter);
  if (!ops.has_value()) return Response::Error(ErrorOf(ops.error()));
  return JsonResponse({{"operations", OperationsJson(*ops)}});
}

std::optional<std::int64_t> IdParam(const Request& r) {
  const std::string_view id = r.Param("id");
  std::int64_t n = 0;
  const auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), n);
  if (ec != std::errc() || p != id.data() + id.size() || n < 1) return std::nullopt;
  return n;
}

Response GetOne(MaintenanceService& service, const Request& r) {
  const auto id = IdParam(r);
  if (!id)
    return Response::Error(NotFound(fmt::format("no operation with id '{}'", r.Param("id"))));
  auto op = service.Get(*id);
  if (!op.has_value()) return Response::Error(ErrorOf(op.error()));
  return JsonResponse(store::OperationToJson(*op));
}

Response CancelOne(MaintenanceService& service, const Request& r) {
  const auto id = IdParam(r);
  if (!id)
    return Response::Error(NotFound(fmt::format("no operation with id '{}'", r.Param("id"))));
  auto op = service.Cancel(*id, r.principal.name);
  if (!op.has_value()) {
    if (op.error().code() == common::StatusCode::kInvalidArgument) {
      return Response::Error(Conflict(op.error().message()));
    }
    return Response::Error(ErrorOf(op.error()));
  }
  return JsonResponse(store::OperationToJson(*op));
}

}  // namespace

common::Status AddMaintenanceRoutes(Router& router, MaintenanceService& service) {
  MaintenanceService* s = &service;
  const auto list = [s](const Request& r) { return List(*s, r); };
  PGV_RETURN_IF_ERROR(router.Add("GET", "/api/v1/maintenance", Role::kViewer, list));
  PGV_RETURN_IF_ERROR(router.Add("GET", "/api/database/maintenance", Role::kViewer, list));
  PGV_RETURN_IF_ERROR(
      router.Add("POST", "/api/v1/maintenance", Role::kOperator,
                 [s](const Request& r) { return Submit(*s, r, ParseMaintenanceBody(r.body)); }));
  PGV_RETURN_IF_ERROR(router.Add(
      "POST", "/api/database/maintenance", Role::kOperator,
      [s](const Request& r) { return Submit(*s, r, ParseSeedMaintenanceBody(r.body)); }));
  PGV_RETURN_IF_ERROR(
      router.Add("POST", "/api/database/optimize", Role::kOperator,
                 [s](const Request& r) { return Submit(*s, r, ParseOptimizeBody(r.body)); }));
  PGV_RETURN_IF_ERROR(router.Add("GET", "/api/v1/maintenance/{id}", Role::kViewer,
                                 [s](const Request& r) { return GetOne(*s, r); }));
  PGV_RETURN_IF_ERROR(router.Add("POST", "/api/v1/maintenance/{id}/cancel", Role::kOperator,
                                 [s](const Request& r) { return CancelOne(*s, r); }));
  PGV_RETURN_IF_ERROR(router.Add("POST", "/api/v1/recovery", Role::kOperator,
                                 [s](const Request& r) { return SubmitRecovery(*s, r); }));
  return common::Status::Ok();
}

}  // namespace pgvigil::http
