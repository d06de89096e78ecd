// SPDX-License-Identifier: Apache-2.0
// query.advice: the shape of the statements that cost the most, read by PostgreSQL's own parser
// (analysis/sql_parser.h). For the top query.advice.top_statements statements by total
// execution time (and any that query.slow_statement flags over the last interval), whose text
// was collected, an info finding lists what is known to defeat indexes or read too much: SELECT
// *, an unbounded read of a large result, a join without a condition, a leading-wildcard LIKE, a
// function over a column in WHERE, NOT IN (subquery), long OR chains over one column. Advice
// only: no rewrite is generated (it cannot be done safely from a normalised text).
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class QueryAdviceCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"query.advice"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
