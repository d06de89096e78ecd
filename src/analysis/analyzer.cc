// SPDX-License-Identifier: Apache-2.0
#include "analysis/analyzer.h"

#include <algorithm>
#include <cstddef>
#include <memory>
#include <set>
#include <string_view>

#include "analysis/health_score.h"
#include "model/health_report.h"

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
  // new ones. The kept ones are shared with the previous report, not copied. They are a
  // subsequence of a sorted report, so sorted: only the new ones are sorted and merged in
  // (stable, like sorting the whole, kept ones first among equals).
  std::vector<model::Finding> fresh;
  for (const Check* check : checks) check->Evaluate(input, fresh);
  for (model::Finding& f : fresh) f.target = input.current.target;
  std::stable_sort(fresh.begin(), fresh.end(), FindingBefore);

  std::vector<model::FindingList::Ptr> findings;
  findings.reserve(previous.findings.size() + fresh.size());
  for (const model::FindingList::Ptr& f : previous.findings.shared()) {
    if (rerun.count(f->id) == 0) findings.push_back(f);
  }
  const auto kept = static_cast<std::ptrdiff_t>(findings.size());
  for (model::Finding& f : fresh) {
    findings.push_back(std::make_shared<const model::Finding>(std::move(f)));
  }
  std::inplace_merge(findings.begin(), findings.begin() + kept, findings.end(),
                     [](const model::FindingList::Ptr& a, const model::FindingList::Ptr& b) {
                       return FindingBefore(*a, *b);
                     });
  return ScoreSortedFindings(input.current.target, model::FindingList(std::move(findings)));
}

}  // namespace pgvigil::analysis
