// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/query_regression_check.h"

#include <memory>

#include <fmt/format.h>

#include "analysis/query_text.h"
#include "analysis/snapshot_helpers.h"
#include "analysis/statement_baselines.h"
#include "analysis/statement_deltas.h"

namespace pgvigil::analysis {

void QueryRegressionCheck::Evaluate(const CheckInput& input,
                                    std::vector<model::Finding>& out) const {
  if (input.previous == nullptr || input.history.snapshots.empty()) return;
  const model::Snapshot& s = input.current;
  const StatementDeltas& now = IntervalStatementDeltas(input);
  if (!now.comparable || now.interval_seconds <= 0) return;
  const std::shared_ptr<const StatementBaselines> history =
      SummariseStatementHistory(input.history, *input.previous);
  if (history->empty()) return;

  for (const auto& [queryid, q] : ByQueryId(now.deltas)) {
    const auto base = history->find(queryid);
    if (base == history->end()) continue;  // new: no history of its own
    const StatementBaseline& b = base->second;
    const std::string object = fmt::format("queryid {}", queryid);
    const auto param = [&](std::string_view key) {
      return input.thresholds.Param(key, s.target, object);
    };
    if (q.calls < param("query.regression.min_calls") ||
        b.calls < param("query.regression.min_history_calls") || b.total_exec_time <= 0) {
      continue;
    }
    const double mean_seconds = q.total_exec_time / q.calls / 1000.0;
    const double base_seconds = b.total_exec_time / b.calls / 1000.0;
    if (mean_seconds < param("query.regression.min_mean_seconds")) continue;
    const double ratio = mean_seconds / base_seconds;
    const auto verdict = input.thresholds.Classify("query.regression", ratio, s.target, object);
    if (verdict.severity == model::Severity::kOk) continue;
    model::Finding f;
    f.id = "query.regression";
    f.severity = verdict.severity;
    f.object = object;
    f.value = ratio;
    f.threshold = verdict.threshold;
    f.unit = "ratio";
    f.message = fmt::format(
        "queryid {} took {} on average over the last {}, {:.1f}× its usual {}: {}", queryid,
        FormatDuration(mean_seconds), FormatDuration(now.interval_seconds), ratio,
        FormatDuration(base_seconds),
        q.sample->query ? OneLineQuery(*q.sample->query) : std::string("(text not collected)"));
    const double blocks_now = (q.shared_blks_hit + q.shared_blks_read) / q.calls;
    const double blocks_before = b.shared_blks / b.calls;
    f.evidence = {
        fmt::format("last interval: {} calls, {} per call, over {}", q.calls,
                    FormatDuration(mean_seconds), FormatDuration(now.interval_seconds)),
        fmt::format("history: {} calls, {} per call, over {} of earlier samples", b.calls,
                    FormatDuration(base_seconds), FormatDuration(b.seconds)),
        fmt::format("rows per call: {:.1f} now, {:.1f} before", q.rows / q.calls, b.rows / b.calls),
        fmt::format("shared blocks per call: {:.0f} now, {:.0f} before", blocks_now, blocks_before),
    };
    std::string why;
    if (blocks_before > 0 && blocks_now > 2 * blocks_before) {
      why =
          "It touches far more blocks per call than it used to: a changed plan (often after "
          "statistics moved: ANALYZE the tables it reads) or much more data per call. ";
    } else {
      why =
          "It touches about as many blocks per call as before, so the time went elsewhere: "
          "lock waits, I/O that used to be cached, or a busier server. ";
    }
    why +=
        "Compare its plan now (EXPLAIN (ANALYZE, BUFFERS)) with what it should be, and check "
        "recent deploys, migrations and bulk loads.";
    f.recommendation = model::Recommendation{"", why};
    out.push_back(std::move(f));
  }
}

}  // namespace pgvigil::analysis
