// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/query_slow_statement_check.h"

#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "analysis/query_text.h"
#include "analysis/snapshot_helpers.h"
#include "analysis/statement_deltas.h"

namespace pgvigil::analysis {

void QuerySlowStatementCheck::Evaluate(const CheckInput& input,
                                       std::vector<model::Finding>& out) const {
  if (input.previous == nullptr) return;
  const model::Snapshot& s = input.current;
  const StatementDeltas& deltas = IntervalStatementDeltas(input);
  if (!deltas.comparable || deltas.interval_seconds <= 0) return;

  if (deltas.not_comparable > 0) {
    // Say so once: statements that may be slow went unjudged this interval.
    model::Finding f;
    f.id = "query.slow_statement";
    f.severity = model::Severity::kInfo;
    f.object = "server";
    f.unit = "seconds";
    f.insufficient_data = true;
    if (deltas.evicted > 0) {
      f.message = fmt::format(
          "{} statement{} could not be judged this interval: pg_stat_statements evicted {} "
          "entries, so their counters may have restarted unseen",
          deltas.not_comparable, deltas.not_comparable == 1 ? "" : "s", deltas.evicted);
      f.evidence = {fmt::format("pg_stat_statements_info.dealloc rose by {} in {}", deltas.evicted,
                                FormatDuration(deltas.interval_seconds))};
      if (const auto max = SettingNumber(s, "pg_stat_statements.max")) {
        f.evidence.push_back(fmt::format("pg_stat_statements.max = {}", *max));
      }
      f.recommendation = model::Recommendation{
          "",
          "Raise pg_stat_statements.max (takes a restart) so the entries fit, or find what "
          "floods it with distinct statements (literals instead of parameters, temporary "
          "tables)."};
    } else {
      f.message = fmt::format(
          "{} statement{} could not be judged this interval: their counters went backwards (a "
          "reset of pg_stat_statements)",
          deltas.not_comparable, deltas.not_comparable == 1 ? "" : "s");
    }
    out.push_back(std::move(f));
  }

  for (const auto& [queryid, q] : ByQueryId(deltas.deltas)) {
    const std::string object = fmt::format("queryid {}", queryid);
    const double min_calls =
        input.thresholds.Param("query.slow_statement.min_calls", s.target, object);
    if (q.calls < min_calls) continue;
    const double mean_seconds = q.total_exec_time / q.calls / 1000.0;
    const auto verdict =
        input.thresholds.Classify("query.slow_statement", mean_seconds, s.target, object);
    if (verdict.severity == model::Severity::kOk) continue;
    const std::string text =
        q.sample->query ? OneLineQuery(*q.sample->query) : std::string("(text not collected)");
    model::Finding f;
    f.id = "query.slow_statement";
    f.severity = verdict.severity;
    f.object = object;
    f.value = mean_seconds;
    f.threshold = verdict.threshold;
    f.unit = "seconds";
    f.message = fmt::format("queryid {} took {} on average over {} calls in the last {}: {}",
                            queryid, FormatDuration(mean_seconds), q.calls,
                            FormatDuration(deltas.interval_seconds), text);
    const double blocks = q.shared_blks_hit + q.shared_blks_read;
    f.evidence = {
        fmt::format("{} calls, {} in total, {} per call, over {}", q.calls,
                    FormatDuration(q.total_exec_time / 1000.0), FormatDuration(mean_seconds),
                    FormatDuration(deltas.interval_seconds)),
        fmt::format("{:.1f} rows per call", q.rows / q.calls),
        fmt::format(
            "shared blocks per call: {:.0f} read, {:.0f} hit{}", q.shared_blks_read / q.calls,
            q.shared_blks_hit / q.calls,
            blocks > 0 ? fmt::format(" ({} hit)", FormatPercent(q.shared_blks_hit / blocks)) : ""),
    };
    if (q.temp_blks_written > 0) {
      f.evidence.push_back(
          fmt::format("temp blocks written per call: {:.0f}", q.temp_blks_written / q.calls));
    }
    std::set<std::string> roles;
    std::set<std::string> databases;
    double all_calls = 0;
    double all_time = 0;
    for (const model::StatementStats* e : q.entries) {
      roles.insert(e->rolname);
      databases.insert(e->datname);
      all_calls += static_cast<double>(e->calls);
      all_time += e->total_exec_time;
    }
    f.evidence.push_back(
        fmt::format("run as {} on {}", fmt::join(roles, ", "), fmt::join(databases, ", ")));
    if (all_calls > 0) {
      f.evidence.push_back(fmt::format("mean since pg_stat_statements began counting it: {}",
                                       FormatDuration(all_time / all_calls / 1000.0)));
    }
    std::string why = "Look at its plan with EXPLAIN (ANALYZE, BUFFERS) and typical parameters. ";
    if (blocks > 0 && q.shared_blks_read / blocks > 0.1) {
      why +=
          "It reads much from outside shared buffers: an index that narrows the scan, or more "
          "memory, helps. ";
    } else if (q.rows > 0 && blocks / q.rows > 100) {
      why +=
          "It touches many blocks for each row it returns: a missing or unselective index is "
          "likely (table.seq_scan_heavy names candidates). ";
    }
    if (q.temp_blks_written > 0) {
      why += "It spills to temporary files: work_mem is too small for its sorts or hashes. ";
    }
    why += "A statement that is slow only now, not in its history, shows as query.regression.";
    f.recommendation = model::Recommendation{"", why};
    out.push_back(std::move(f));
  }
}

}  // namespace pgvigil::analysis
