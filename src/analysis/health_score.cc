// SPDX-License-Identifier: Apache-2.0
#include "analysis/health_score.h"
#include "model/health_report.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace pgvigil::analysis {
namespace {

// Points one finding takes off the score, and the most one check id can take: a hundred
// unused indexes are one problem, not a hundred.
constexpr int kCriticalPoints = 25;
constexpr int kCriticalCap = 50;
constexpr int kWarningPoints = 8;
constexpr int kWarningCap = 24;

int Rank(model::Severity s) {
  switch (s) {
    case model::Severity::kCritical:
      return 3;
    case model::Severity::kWarning:
      return 2;
    case model::Severity::kInfo:
      return 1;
    case model::Severity::kOk:
      return 0;
  }
  return 0;
}

}  // namespace

bool FindingBefore(const model::Finding& a, const model::Finding& b) {
  if (Rank(a.severity) != Rank(b.severity)) return Rank(a.severity) > Rank(b.severity);
  if (a.id != b.id) return a.id < b.id;
  return a.object < b.object;
}

void SortFindings(std::vector<model::Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), FindingBefore);
}

model::HealthReport ScoreFindings(std::string target, std::vector<model::Finding> findings) {
  SortFindings(findings);
  return ScoreSortedFindings(std::move(target), std::move(findings));
}

model::HealthReport ScoreSortedFindings(std::string target, model::FindingList findings) {
  struct PerId {
    int critical = 0;
    int warning = 0;
    const model::Finding* first = nullptr;  // the most severe of this id (sorted order)
  };
  std::map<std::string, PerId> per_id;
  for (const model::Finding& f : findings) {
    if (f.insufficient_data) continue;
    PerId& p = per_id[f.id];
    if (f.severity == model::Severity::kCritical) ++p.critical;
    if (f.severity == model::Severity::kWarning) ++p.warning;
    if (p.first == nullptr) p.first = &f;
  }
  struct Contribution {
    int points;
    std::string reason;
  };
  std::vector<Contribution> contributions;
  int any_critical = 0;
  int any_warning = 0;
  for (const auto& [id, p] : per_id) {
    const int points = std::min(kCriticalCap, p.critical * kCriticalPoints) +
                       std::min(kWarningCap, p.warning * kWarningPoints);
    any_critical += p.critical;
    any_warning += p.warning;
    if (points == 0) continue;
    std::string counts;
    if (p.critical > 0) counts += fmt::format("{} critical", p.critical);
    if (p.warning > 0) counts += fmt::format("{}{} warning", counts.empty() ? "" : ", ", p.warning);
    contributions.push_back(
        {points, fmt::format("{} ({}; −{}): {}", id, counts, points, p.first->message)});
  }
  std::stable_sort(
      contributions.begin(), contributions.end(),
      [](const Contribution& a, const Contribution& b) { return a.points > b.points; });
  model::HealthReport report;
  report.target = std::move(target);
  int score = 100;
  for (const Contribution& c : contributions) {
    score -= c.points;
    report.reasons.push_back(c.reason);
  }
  report.score = std::max(0, score);
  report.status = any_critical > 0  ? model::HealthStatus::kUnhealthy
                  : any_warning > 0 ? model::HealthStatus::kDegraded
                                    : model::HealthStatus::kHealthy;
  if (report.reasons.empty()) report.reasons.push_back("no warning or critical finding");
  report.findings = std::move(findings);
  return report;
}

}  // namespace pgvigil::analysis
