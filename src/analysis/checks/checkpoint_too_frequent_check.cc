// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/checkpoint_too_frequent_check.h"

#include <cmath>

#include <fmt/format.h>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
namespace {

bool HasCheckpointer(const model::Snapshot& s) {
  const model::CollectorOutcome* o = s.FindOutcome("checkpointer");
  return o != nullptr && o->status == model::CollectorStatus::kOk && s.checkpointer.has_value();
}

// max_wal_size as ALTER SYSTEM accepts it (its unit is MB): whole GB when it divides.
std::string WalSizeValue(double bytes) {
  const double mb = std::ceil(bytes / (1024.0 * 1024.0));
  if (std::fmod(mb, 1024.0) == 0) return fmt::format("{:.0f}GB", mb / 1024.0);
  return fmt::format("{:.0f}MB", mb);
}

}  // namespace

void CheckpointTooFrequentCheck::Evaluate(const CheckInput& input,
                                          std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  const model::Snapshot* prev = input.previous;
  if (prev == nullptr || !HasCheckpointer(s) || !HasCheckpointer(*prev) ||
      !CountersComparable(s, *prev, model::kStandardTier)) {
    return;
  }
  const model::CheckpointerStats& now = *s.checkpointer;
  const model::CheckpointerStats& before = *prev->checkpointer;
  if (now.checkpointer_stats_reset != before.checkpointer_stats_reset) return;  // reset between
  const auto timed = CounterDelta(static_cast<double>(now.checkpoints_timed),
                                  static_cast<double>(before.checkpoints_timed));
  const auto requested = CounterDelta(static_cast<double>(now.checkpoints_req),
                                      static_cast<double>(before.checkpoints_req));
  if (!timed || !requested) return;
  const double interval = IntervalSeconds(s, *prev, model::kStandardTier);
  const double total = *timed + *requested;
  if (total <= 0 || interval <= 0) return;  // no checkpoint: nothing to judge
  const std::string counts = fmt::format("{} requested and {} timed checkpoints in the last {}",
                                         *requested, *timed, FormatDuration(interval));
  model::Finding f;
  f.id = "checkpoint.too_frequent";
  f.object = "server";
  f.unit = "ratio";
  const double min_checkpoints =
      input.thresholds.Param("checkpoint.too_frequent.min_checkpoints", s.target, "server");
  if (total < min_checkpoints) {
    f.severity = model::Severity::kInfo;
    f.insufficient_data = true;
    f.message = fmt::format(
        "too few checkpoints in the last {} to judge how often they are requested ({} of the {} "
        "needed)",
        FormatDuration(interval), total, min_checkpoints);
    f.evidence = {counts};
    out.push_back(std::move(f));
    return;
  }
  const double ratio = *requested / total;
  const auto verdict =
      input.thresholds.Classify("checkpoint.too_frequent", ratio, s.target, "server");
  if (verdict.severity == model::Severity::kOk) return;
  const auto max_wal_size = SettingBytes(s, "max_wal_size");
  const auto checkpoint_timeout = SettingSeconds(s, "checkpoint_timeout");
  f.severity = verdict.severity;
  f.value = ratio;
  f.threshold = verdict.threshold;
  f.message = fmt::format(
      "{} of {} checkpoints in the last {} were requested, not timed ({}): WAL fills "
      "max_wal_size{} before checkpoint_timeout{}",
      *requested, total, FormatDuration(interval), FormatPercent(ratio),
      max_wal_size ? " (" + FormatBytes(*max_wal_size) + ")" : "",
      checkpoint_timeout ? " (" + FormatDuration(*checkpoint_timeout) + ")" : "");
  f.evidence = {
      counts, fmt::format("one checkpoint every {} on average", FormatDuration(interval / total))};
  if (max_wal_size) f.evidence.push_back("max_wal_size = " + FormatBytes(*max_wal_size));
  if (checkpoint_timeout) {
    f.evidence.push_back("checkpoint_timeout = " + FormatDuration(*checkpoint_timeout));
  }
  if (s.wal && prev->wal && s.wal->wal_lsn_bytes && prev->wal->wal_lsn_bytes) {
    if (const auto wal = CounterDelta(static_cast<double>(*s.wal->wal_lsn_bytes),
                                      static_cast<double>(*prev->wal->wal_lsn_bytes))) {
      f.evidence.push_back(
          fmt::format("WAL written: {} ({}/s)", FormatBytes(*wal), FormatBytes(*wal / interval)));
    }
  }
  std::string why =
      "A checkpoint is requested when the WAL written since the last one reaches max_wal_size "
      "(or by CHECKPOINT, a base backup, CREATE DATABASE). Checkpoints that close together "
      "write the same pages again and make every first change of a page after them log a "
      "full-page image. Raise max_wal_size until most checkpoints are timed; it needs the "
      "disk space for that much WAL, and recovery after a crash takes longer.";
  std::string sql;
  if (max_wal_size) {
    sql = fmt::format("ALTER SYSTEM SET max_wal_size = '{}'; SELECT pg_reload_conf();",
                      WalSizeValue(2 * *max_wal_size));
  }
  f.recommendation = model::Recommendation{sql, why};
  out.push_back(std::move(f));
}

}  // namespace pgvigil::analysis
