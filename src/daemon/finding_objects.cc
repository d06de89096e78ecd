// SPDX-License-Identifier: Apache-2.0
#include "daemon/finding_objects.h"

#include <set>
#include <tuple>

#include <fmt/format.h>

#include "model/finding_object.h"

namespace pgvigil::daemon {

common::Result<std::vector<model::MaintenanceRequest>> ExpandFinding(
    const model::MaintenanceRequest& request, const model::TargetState& state) {
  std::vector<model::MaintenanceRequest> out;
  if (state.report == nullptr) {
    return common::NotFoundError(fmt::format(
        "target {} has no analysis yet: nothing has finding {}", state.name, request.finding));
  }
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  for (const model::Finding& f : state.report->findings) {
    if (f.id != request.finding || f.insufficient_data) continue;
    const auto relation = model::FindRelationByObject(f.object, state.current.get());
    if (!relation.has_value()) continue;
    if (!request.database.empty() && relation->database != request.database) continue;
    model::MaintenanceRequest r = request;
    r.finding.clear();
    r.database = relation->database;
    r.schema = relation->schema;
    if (request.kind == model::OperationKind::kReindexIndex) {
      if (!relation->is_index) continue;  // REINDEX INDEX of a table finding means nothing
      r.object = relation->name;
    } else {
      r.object = relation->table;
    }
    if (!seen.insert({r.database, r.schema, r.object}).second) continue;
    out.push_back(std::move(r));
  }
  if (out.empty()) {
    return common::NotFoundError(
        fmt::format("no {} in the latest analysis of target {} has finding {}",
                    request.kind == model::OperationKind::kReindexIndex ? "index" : "table",
                    state.name, request.finding));
  }
  return out;
}

}  // namespace pgvigil::daemon
