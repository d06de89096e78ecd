// SPDX-License-Identifier: Apache-2.0
// query.advice: the shape of the statements that cost the most, read by PostgreSQL's own parser
// (analysis/sql_parser.h). For the top query.advice.top_statements statements by total
// execution time (and any that query.slow_statement flags over the last interval), whose text
// was collected, an info finding lists what is known to defeat indexes or read too much: SELECT
// *, an unbounded read of a large result, a join without a condition, a leading-wildcard LIKE, a
// function over a column in WHERE, NOT IN (subquery), long OR chains over one column. Advice
// only: no rewrite is generated (it cannot be done safely from a normalised text).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "analysis/check.h"
#include "model/query_plan.h"

namespace pgvigil::analysis {

class QueryAdviceCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"query.advice"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

// A statement query.advice judges whose text is one plain SELECT (and not pgvigil's own): one
// to EXPLAIN (`pgvigil check --explain`) for AddPlanAdvice.
struct StatementToExplain {
  std::int64_t queryid = 0;
  std::string datname;
  std::string query;  // normalised, $n placeholders
  int parameters = 0;
  std::optional<double> rows_per_call;  // since pg_stat_statements began counting it
};
std::vector<StatementToExplain> StatementsToExplain(const CheckInput& input);

// Adds the advice of each plan (analysis/plan_advice.h) to the query.advice finding of its
// statement, or as a new query.advice finding when the text alone gave none. `unexplained`,
// when not empty, is said instead on every query.advice finding (why no plan was read).
void AddPlanAdvice(std::vector<model::Finding>& findings, const CheckInput& input,
                   std::span<const model::QueryPlan> plans, const std::string& unexplained = "");

}  // namespace pgvigil::analysis
