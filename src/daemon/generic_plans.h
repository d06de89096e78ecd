// SPDX-License-Identifier: Apache-2.0
// Reading generic plans of normalised statements on a target's monitoring session: the I/O half
// of `pgvigil check --explain` (query.advice from plans) and of
// `--verify-indexes` (daemon/index_verification.h). The queries are collect/explain.h's, run in
// one pipeline beside the collectors' (TargetCollector::RunQueries), under a short
// statement_timeout that is put back afterwards. Not thread-safe (one session).
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <vector>

#include "analysis/checks/query_advice_check.h"
#include "common/result.h"
#include "daemon/target_collector.h"
#include "model/query_plan.h"

namespace pgvigil::daemon {

struct ExplainOptions {
  std::chrono::milliseconds statement_timeout{2000};          // for each EXPLAIN
  std::chrono::milliseconds session_statement_timeout{5000};  // put back afterwards
  std::size_t max_statements = 10;
};

// Where one statement's plan sits in a pipeline: queries [first, first + count), the plan in
// query `plan`.
struct PlanSlot {
  std::size_t first = 0;
  std::size_t count = 0;
  std::size_t plan = 0;
};

// Appends the queries of `statement`'s generic plan to `pipeline` (collect::PlanGenericExplain).
common::Result<PlanSlot> AppendGenericExplain(std::vector<pg::Query>& pipeline,
                                              const pg::ServerInfo& server, std::string_view name,
                                              std::string_view statement, int parameters);

// The plan of a slot, or the first error among its queries, in words (a permission error says
// which grant EXPLAIN needs).
common::Result<model::PlanNode> PlanFromSlot(std::span<const pg::QueryOutcome> outcomes,
                                             const PlanSlot& slot, const pg::ServerInfo& server);

// The generic plans of `statements` of the session's database (the first max_statements; one
// entry each, with the error when its plan could not be read); the error when the session could
// not run them.
common::Result<std::vector<model::QueryPlan>> ReadGenericPlans(
    TargetCollector& collector, std::span<const analysis::StatementToExplain> statements,
    const ExplainOptions& options);

}  // namespace pgvigil::daemon
