// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/query_error_rate_check.h"

#include <fmt/format.h>

#include "analysis/database_deltas.h"
#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {

void QueryErrorRateCheck::Evaluate(const CheckInput& input,
                                   std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  const DatabaseDeltas deltas = MatchDatabases(s, input.previous);
  if (!deltas.comparable || deltas.interval_seconds <= 0) return;
  for (const DatabasePair& p : deltas.pairs) {
    const auto commits = p.Delta(&model::DatabaseStats::xact_commit);
    const auto rollbacks = p.Delta(&model::DatabaseStats::xact_rollback);
    if (!commits || !rollbacks) continue;  // statistics reset in the interval
    const double total = *commits + *rollbacks;
    // An interval without traffic is "too little traffic" too, not silence: a quiet database
    // that autovacuum visits now and then (a few blocks in one interval, none in the next)
    // would otherwise open and close an episode of this finding at every standard tick.
    if (!p.allows_connections) continue;  // template0: no client can bring traffic
    const std::string& object = p.now->datname;
    const double min_transactions =
        input.thresholds.Param("query.error_rate.min_transactions", s.target, object);
    const std::string counts = fmt::format("{} commits and {} rollbacks in the last {}", *commits,
                                           *rollbacks, FormatDuration(deltas.interval_seconds));
    model::Finding f;
    f.id = "query.error_rate";
    f.object = object;
    f.unit = "ratio";
    if (total < min_transactions || total <= 0) {
      f.severity = model::Severity::kInfo;
      f.insufficient_data = true;
      f.message = fmt::format(
          "too few transactions in database {} to judge its error rate ({} of the {} needed)",
          object, total, min_transactions);
      f.evidence = {counts};
      out.push_back(std::move(f));
      continue;
    }
    const double ratio = *rollbacks / total;
    const auto verdict = input.thresholds.Classify("query.error_rate", ratio, s.target, object);
    if (verdict.severity == model::Severity::kOk) continue;
    f.severity = verdict.severity;
    f.value = ratio;
    f.threshold = verdict.threshold;
    f.message = fmt::format(
        "{} of transactions in database {} rolled back in the last {} ({} of {})",
        FormatPercent(ratio), object, FormatDuration(deltas.interval_seconds), *rollbacks, total);
    f.evidence = {counts,
                  fmt::format("{:.1f} rollbacks per second", *rollbacks / deltas.interval_seconds)};
    if (const auto deadlocks = p.Delta(&model::DatabaseStats::deadlocks);
        deadlocks && *deadlocks > 0) {
      f.evidence.push_back(fmt::format("{} of them deadlocks", *deadlocks));
    }
    f.recommendation = model::Recommendation{
        "",
        "A rollback is a transaction that failed (a constraint, a serialization failure, a "
        "deadlock, a cancelled statement) or that the application ended with ROLLBACK on "
        "purpose (some frameworks roll back read-only transactions). The server log has the "
        "errors (log_min_error_statement = error); pg_stat_statements does not count failed "
        "statements. A rate that jumped with a deploy points at the application."};
    out.push_back(std::move(f));
  }
}

}  // namespace pgvigil::analysis
