// SPDX-License-Identifier: Apache-2.0
#include "daemon/plan_json.h"

#include <nlohmann/json.hpp>

namespace pgvigil::daemon {
namespace {

// EXPLAIN nests as deep as the plan; a plan deeper than this is not one PostgreSQL made.
constexpr int kMaxDepth = 500;

std::string Text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double Number(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0;
}

common::Result<model::PlanNode> Node(const nlohmann::json& j, int depth) {
  if (!j.is_object() || depth > kMaxDepth) {
    return common::InvalidArgumentError("EXPLAIN JSON: a plan node is not an object");
  }
  model::PlanNode n;
  n.node_type = Text(j, "Node Type");
  n.relation_name = Text(j, "Relation Name");
  n.schema = Text(j, "Schema");
  n.alias = Text(j, "Alias");
  n.index_name = Text(j, "Index Name");
  n.join_type = Text(j, "Join Type");
  n.startup_cost = Number(j, "Startup Cost");
  n.total_cost = Number(j, "Total Cost");
  n.plan_rows = Number(j, "Plan Rows");
  n.plan_width = Number(j, "Plan Width");
  if (auto plans = j.find("Plans"); plans != j.end() && plans->is_array()) {
    for (const nlohmann::json& child : *plans) {
      PGV_ASSIGN_OR_RETURN(model::PlanNode c, Node(child, depth + 1));
      n.plans.push_back(std::move(c));
    }
  }
  return n;
}

}  // namespace

common::Result<model::PlanNode> ParsePlanJson(std::string_view json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return common::InvalidArgumentError("EXPLAIN JSON: not JSON");
  if (!j.is_array() || j.size() != 1 || !j[0].is_object() || !j[0].contains("Plan")) {
    return common::InvalidArgumentError("EXPLAIN JSON: not [{\"Plan\": …}]");
  }
  return Node(j[0]["Plan"], 0);
}

}  // namespace pgvigil::daemon
