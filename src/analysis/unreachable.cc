// SPDX-License-Identifier: Apache-2.0
#include "analysis/unreachable.h"

#include <fmt/format.h>

#include "analysis/health_score.h"
#include "analysis/snapshot_helpers.h"
#include "model/health_report.h"

namespace pgvigil::analysis {

model::HealthReport UnreachableReport(const std::string& target, const std::string& error,
                                      common::Timestamp since, common::Timestamp now) {
  model::Finding f;
  f.id = "target.unreachable";
  f.severity = model::Severity::kCritical;
  f.target = target;
  f.object = "server";
  const double seconds = std::max(0.0, std::chrono::duration<double>(now - since).count());
  f.value = seconds;
  f.unit = "seconds";
  f.message = fmt::format("cannot reach the server for {}: {}", FormatDuration(seconds), error);
  f.evidence.push_back("last error: " + error);
  f.evidence.push_back("unreachable since " + common::FormatTimestamp(since));
  f.recommendation = model::Recommendation{
      "",
      "Check that the server is up and accepts connections from this host (network, "
      "pg_hba.conf, max_connections, the monitoring role's password)."};
  model::HealthReport report = ScoreFindings(target, {std::move(f)});
  // Nothing can be vouched for on a server that does not answer: the score is 0, not the
  // deduction of one critical finding.
  report.score = 0;
  report.status = model::HealthStatus::kUnhealthy;
  return report;
}

}  // namespace pgvigil::analysis
