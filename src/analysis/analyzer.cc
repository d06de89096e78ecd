// SPDX-License-Identifier: Apache-2.0
#include "analysis/analyzer.h"

#include <algorithm>
#include <cstddef>
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
  // Once a second on a large database: thousands of kept findings (the index checks'), a few
  // new ones. The kept ones are a subsequence of a sorted report, so sorted: only the new ones
  // are sorted and merged in (stable, like sorting the whole, kept ones first among equals).
  std::vector<model::Finding> findings;
  findings.reserve(previous.findings.size() + 64);
  for (const model::Finding& f : previous.findings) {
    if (rerun.count(f.id) == 0) findings.push_back(f);
  }
  const auto kept = static_cast<std::ptrdiff_t>(findings.size());
  for (const Check* check : checks) check->Evaluate(input, findings);
  for (auto it = findings.begin() + kept; it != findings.end(); ++it) {
    it->target = input.current.target;
  }
  std::stable_sort(findings.begin() + kept, findings.end(), FindingBefore);
  std::inplace_merge(findings.begin(), findings.begin() + kept, findings.end(), FindingBefore);
  return ScoreSortedFindings(input.current.target, std::move(findings));
}

}  // namespace pgvigil::analysis
