// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/cache_hit_ratio_check.h"

#include <fmt/format.h>

#include "analysis/database_deltas.h"
#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {

void CacheHitRatioCheck::Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  const DatabaseDeltas deltas = MatchDatabases(s, input.previous);
  if (!deltas.comparable || deltas.interval_seconds <= 0) return;
  const auto shared_buffers = SettingBytes(s, "shared_buffers");
  for (const DatabasePair& p : deltas.pairs) {
    const auto hits = p.Delta(&model::DatabaseStats::blks_hit);
    const auto reads = p.Delta(&model::DatabaseStats::blks_read);
    if (!hits || !reads) continue;  // statistics reset in the interval
    const double requests = *hits + *reads;
    // An interval without traffic is "too little traffic" too, not silence: a quiet database
    // that autovacuum visits now and then (a few blocks in one interval, none in the next)
    // would otherwise open and close an episode of this finding at every standard tick.
    if (!p.allows_connections) continue;  // template0: no client can bring traffic
    const std::string& object = p.now->datname;
    const double min_blocks =
        input.thresholds.Param("cache.hit_ratio.min_blocks", s.target, object);
    const std::string counts =
        fmt::format("{} blocks found in shared buffers, {} read in the last {}", *hits, *reads,
                    FormatDuration(deltas.interval_seconds));
    model::Finding f;
    f.id = "cache.hit_ratio";
    f.object = object;
    f.unit = "ratio";
    if (requests < min_blocks || requests <= 0) {
      f.severity = model::Severity::kInfo;
      f.insufficient_data = true;
      f.message = fmt::format(
          "too little traffic in database {} to judge its cache hit ratio ({} block requests of "
          "the {} needed)",
          object, requests, min_blocks);
      f.evidence = {counts};
      out.push_back(std::move(f));
      continue;
    }
    const double ratio = *hits / requests;
    const auto verdict = input.thresholds.Classify("cache.hit_ratio", ratio, s.target, object);
    if (verdict.severity == model::Severity::kOk) continue;
    f.severity = verdict.severity;
    f.value = ratio;
    f.threshold = verdict.threshold;
    f.message = fmt::format(
        "only {} of block requests in database {} were served from shared buffers in the last {} "
        "({} reads)",
        FormatPercent(ratio), object, FormatDuration(deltas.interval_seconds), *reads);
    f.evidence = {counts,
                  fmt::format("{} read per second",
                              FormatBytes(*reads * s.server.block_size / deltas.interval_seconds))};
    if (shared_buffers) {
      f.evidence.push_back("shared_buffers = " + FormatBytes(*shared_buffers));
    }
    if (const double read_ms = p.now->blk_read_time - p.before->blk_read_time; read_ms > 0) {
      f.evidence.push_back(
          fmt::format("{} spent reading (track_io_timing)", FormatDuration(read_ms / 1000.0)));
    }
    f.recommendation = model::Recommendation{
        "",
        "The working set does not fit in shared buffers, or large scans push it out. Find the "
        "statements with the most shared_blks_read in pg_stat_statements (query.slow_statement) "
        "and the tables read by sequential scans (table.seq_scan_heavy): an index usually "
        "helps more than memory. If the working set is simply larger, raise shared_buffers "
        "(commonly a quarter of RAM; it takes a restart)."};
    out.push_back(std::move(f));
  }
}

}  // namespace pgvigil::analysis
