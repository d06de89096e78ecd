// SPDX-License-Identifier: Apache-2.0
#include "daemon/finding_objects.h"

#include <optional>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::daemon {
namespace {

struct Relation {
  std::string database;
  std::string schema;
  std::string name;   // the relation the finding names (table or index)
  std::string table;  // its table (== name for a table)
  bool is_index = false;
};

std::optional<Relation> Resolve(const std::string& object, const model::Snapshot* snapshot) {
  if (snapshot != nullptr) {
    for (const model::TableStats& t : snapshot->tables) {
      if (analysis::RelationObject(t.datname, t.schemaname, t.relname) == object) {
        return Relation{t.datname, t.schemaname, t.relname, t.relname, false};
      }
    }
    for (const model::IndexStats& i : snapshot->indexes) {
      if (analysis::RelationObject(i.datname, i.schemaname, i.indexrelname) == object) {
        return Relation{i.datname, i.schemaname, i.indexrelname, i.relname, true};
      }
    }
  }
  const std::size_t first = object.find('.');
  if (first == std::string::npos) return std::nullopt;
  const std::size_t second = object.find('.', first + 1);
  if (second == std::string::npos || second + 1 >= object.size()) return std::nullopt;
  Relation r;
  r.database = object.substr(0, first);
  r.schema = object.substr(first + 1, second - first - 1);
  r.name = object.substr(second + 1);
  r.table = r.name;
  if (r.database.empty() || r.schema.empty()) return std::nullopt;
  return r;
}

}  // namespace

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
    const auto relation = Resolve(f.object, state.current.get());
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
