// SPDX-License-Identifier: Apache-2.0
#include "daemon/generic_plans.h"

#include <fmt/format.h>

#include "collect/explain.h"
#include "daemon/plan_json.h"

namespace pgvigil::daemon {
namespace {

constexpr std::string_view kInsufficientPrivilege = "42501";

}  // namespace

common::Result<PlanSlot> AppendGenericExplain(std::vector<pg::Query>& pipeline,
                                              const pg::ServerInfo& server, std::string_view name,
                                              std::string_view statement, int parameters) {
  PGV_ASSIGN_OR_RETURN(collect::ExplainQueries q,
                       collect::PlanGenericExplain(server, collect::QueryCatalog::Builtin(), name,
                                                   statement, parameters));
  PlanSlot slot{pipeline.size(), q.queries.size(), pipeline.size() + q.plan_index};
  for (pg::Query& query : q.queries) pipeline.push_back(std::move(query));
  return slot;
}

common::Result<model::PlanNode> PlanFromSlot(std::span<const pg::QueryOutcome> outcomes,
                                             const PlanSlot& slot, const pg::ServerInfo& server) {
  for (std::size_t i = slot.first; i < slot.first + slot.count && i <= slot.plan; ++i) {
    if (i >= outcomes.size()) return common::UnavailableError("no answer (connection lost)");
    const common::Status& s = outcomes[i].status;
    if (s.ok()) continue;
    if (s.sqlstate() == kInsufficientPrivilege) {
      return common::PermissionDeniedError(fmt::format(
          "{}: EXPLAIN needs SELECT on the tables the statement reads (GRANT SELECT ON them TO "
          "{}, or GRANT pg_read_all_data on PostgreSQL 14+)",
          s.message(), server.current_user));
    }
    return s;
  }
  PGV_ASSIGN_OR_RETURN(std::string json, collect::ExplainJson(outcomes[slot.plan].rows));
  return ParsePlanJson(json);
}

common::Result<std::vector<model::QueryPlan>> ReadGenericPlans(
    TargetCollector& collector, std::span<const analysis::StatementToExplain> statements,
    const ExplainOptions& options) {
  const pg::ServerInfo* server = collector.server_info();
  if (server == nullptr) return common::UnavailableError("not connected");
  const collect::QueryCatalog& catalog = collect::QueryCatalog::Builtin();
  std::vector<pg::Query> pipeline;
  PGV_ASSIGN_OR_RETURN(pg::Query set,
                       collect::PlanExplainSettings(*server, catalog, options.statement_timeout,
                                                    /*restore=*/false));
  pipeline.push_back(std::move(set));
  std::vector<model::QueryPlan> plans;
  std::vector<std::optional<PlanSlot>> slots;
  for (const analysis::StatementToExplain& st : statements) {
    if (st.datname != server->current_database) continue;  // planned only where it runs
    if (plans.size() >= options.max_statements) break;
    model::QueryPlan p;
    p.queryid = st.queryid;
    p.datname = st.datname;
    auto slot =
        AppendGenericExplain(pipeline, *server, fmt::format("pgvigil_explain_{}", plans.size() + 1),
                             st.query, st.parameters);
    if (!slot.has_value()) p.error = slot.error().message();
    slots.push_back(slot.has_value() ? std::optional<PlanSlot>(*slot) : std::nullopt);
    plans.push_back(std::move(p));
  }
  if (plans.empty()) return plans;
  PGV_ASSIGN_OR_RETURN(pg::Query restore, collect::PlanExplainSettings(
                                              *server, catalog, options.session_statement_timeout,
                                              /*restore=*/true));
  pipeline.push_back(std::move(restore));
  PGV_ASSIGN_OR_RETURN(std::vector<pg::QueryOutcome> outcomes, collector.RunQueries(pipeline));
  for (std::size_t i = 0; i < plans.size(); ++i) {
    if (!slots[i]) continue;
    auto root = PlanFromSlot(outcomes, *slots[i], *server);
    if (root.has_value()) {
      plans[i].root = std::move(root).value();
    } else {
      plans[i].error = root.error().message();
    }
  }
  return plans;
}

}  // namespace pgvigil::daemon
