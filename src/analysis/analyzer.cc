// SPDX-License-Identifier: Apache-2.0
#include "analysis/analyzer.h"

#include <set>
#include <string_view>

#include "analysis/health_score.h"

namespace pgvigil::analysis {

model::HealthReport Analyze(const CheckInput& input, std::span<const Check* const> checks) {
  std::vector<model::Finding> findings;
  for (const Check* check : checks) check->Evaluate(input, findings);
  for (model::Finding& f : findings) f.target = input.current.target;
  return ScoreFindings(input.current.target, std::move(findings));
}

model::HealthReport Reanalyze(const CheckInput& input, std::span<const Check* const> checks,
                              const model::HealthReport& previous) {
  std::set<std::string_view> rerun;
  for (const Check* check : checks) {
    for (std::string_view id : check->ids()) rerun.insert(id);
  }
  std::vector<model::Finding> findings;
  for (const model::Finding& f : previous.findings) {
    if (rerun.count(f.id) == 0) findings.push_back(f);
  }
  const std::size_t kept = findings.size();
  for (const Check* check : checks) check->Evaluate(input, findings);
  for (std::size_t i = kept; i < findings.size(); ++i) findings[i].target = input.current.target;
  return ScoreFindings(input.current.target, std::move(findings));
}

}  // namespace pgvigil::analysis
