// SPDX-License-Identifier: Apache-2.0
#include "analysis/analyzer.h"

#include "analysis/health_score.h"

namespace pgvigil::analysis {

model::HealthReport Analyze(const CheckInput& input, std::span<const Check* const> checks) {
  std::vector<model::Finding> findings;
  for (const Check* check : checks) check->Evaluate(input, findings);
  for (model::Finding& f : findings) f.target = input.current.target;
  return ScoreFindings(input.current.target, std::move(findings));
}

}  // namespace pgvigil::analysis
