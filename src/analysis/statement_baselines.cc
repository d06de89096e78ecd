// SPDX-License-Identifier: Apache-2.0
#include "analysis/statement_baselines.h"

#include "analysis/statement_deltas.h"

namespace pgvigil::analysis {
namespace {

StatementBaselines Sum(const std::vector<const model::Snapshot*>& included) {
  StatementBaselines out;
  const model::Snapshot* before = nullptr;
  for (const model::Snapshot* h : included) {
    if (before != nullptr) {
      const StatementDeltas d = ComputeStatementDeltas(*h, *before);
      if (d.comparable) {
        for (const auto& [queryid, q] : ByQueryId(d.deltas)) {
          StatementBaseline& b = out[queryid];
          b.calls += q.calls;
          b.total_exec_time += q.total_exec_time;
          b.rows += q.rows;
          b.shared_blks += q.shared_blks_hit + q.shared_blks_read;
          b.seconds += d.interval_seconds;
        }
      }
    }
    before = h;
  }
  return out;
}

}  // namespace

std::shared_ptr<const StatementBaselines> SummariseStatementHistory(
    const History& history, const model::Snapshot& previous) {
  std::vector<const model::Snapshot*> included;
  for (const model::Snapshot* h : history.snapshots) {
    // By the standard tier's times (pg_stat_statements is read with it): in a composed
    // `previous` collected_at may be another tier's time, later than its statements.
    if (h == nullptr || !HasStatements(*h) ||
        model::CollectedAt(*h, model::kStandardTier) >
            model::CollectedAt(previous, model::kStandardTier)) {
      continue;
    }
    included.push_back(h);
  }
  if (history.memo != nullptr) {
    return history.memo->Baselines(included, [&] { return Sum(included); });
  }
  return std::make_shared<const StatementBaselines>(Sum(included));
}

}  // namespace pgvigil::analysis
