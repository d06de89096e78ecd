// SPDX-License-Identifier: Apache-2.0
// query.slow_statement: statements whose mean execution time over the last interval (between
// the previous and the current pg_stat_statements sample, never since the last reset) is
// above the threshold, judged only from enough calls. Entries of one queryid (per role,
// database, nesting level) are summed: findings name statements as "queryid N".
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class QuerySlowStatementCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"query.slow_statement"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
