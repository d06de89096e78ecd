// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/archiver_failing_check.h"

#include <fmt/format.h>

#include "analysis/autovacuum_formula.h"
#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
std::optional<bool> ArchiverRuns(const model::Snapshot& s) {
  if (!Collected(s, "settings")) return std::nullopt;
  const auto mode = SettingText(s, "archive_mode");
  if (!mode) return std::nullopt;
  // With "on", a standby does not archive (only "always" does).
  return *mode == "always" || (*mode == "on" && !s.server.is_in_recovery);
}

void ArchiverFailingCheck::Evaluate(const CheckInput& input,
                                    std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  if (ArchiverRuns(s) != true || !Collected(s, "archiver") || !s.archiver) return;
  const model::ArchiverStats& a = *s.archiver;
  // Ages as of when pg_stat_archiver was read: what happened after that is not seen yet.
  const common::Timestamp read_at = model::CollectedAt(s, model::kStandardTier);

  std::optional<double> failures;  // in the interval, when two samples can be compared
  double interval = 0;
  if (input.previous != nullptr && CountersComparable(s, *input.previous, model::kStandardTier) &&
      Collected(*input.previous, "archiver") && input.previous->archiver &&
      input.previous->archiver->stats_reset == a.stats_reset) {
    failures = CounterDelta(static_cast<double>(a.failed_count),
                            static_cast<double>(input.previous->archiver->failed_count));
    interval = IntervalSeconds(s, *input.previous, model::kStandardTier);
  }
  const bool stuck =
      a.last_failed_time && (!a.last_archived_time || *a.last_failed_time > *a.last_archived_time);
  const Level levels = input.thresholds.Get("archiver.failing", s.target, "server");

  model::Finding f;
  f.id = "archiver.failing";
  f.object = "server";
  f.unit = "count";
  f.value = failures;
  if (stuck) {
    f.severity = model::Severity::kCritical;
    f.threshold = levels.critical;
  } else if (failures && levels.warning && *failures >= *levels.warning) {
    f.severity = model::Severity::kWarning;
    f.threshold = levels.warning;
  } else {
    return;
  }
  const std::string in_interval =
      failures && *failures > 0
          ? fmt::format("{:.0f} failures in the last {}", *failures, FormatDuration(interval))
          : "";
  if (stuck) {
    f.message =
        fmt::format("WAL archiving is failing: segment {} failed {}, the last success was {}{}",
                    a.last_failed_wal.empty() ? "(unknown)" : a.last_failed_wal,
                    AgoText(read_at, a.last_failed_time), AgoText(read_at, a.last_archived_time),
                    in_interval.empty() ? "" : "; " + in_interval);
  } else {
    f.message = fmt::format("WAL archiving failed ({}, last on segment {}) but has archived since",
                            in_interval, a.last_failed_wal);
  }
  f.evidence.push_back(fmt::format("pg_stat_archiver: archived_count = {}, failed_count = {}",
                                   a.archived_count, a.failed_count));
  f.evidence.push_back(fmt::format("last_failed_wal = {} ({}), last_archived_wal = {} ({})",
                                   a.last_failed_wal.empty() ? "null" : a.last_failed_wal,
                                   AgoText(read_at, a.last_failed_time),
                                   a.last_archived_wal.empty() ? "null" : a.last_archived_wal,
                                   AgoText(read_at, a.last_archived_time)));
  const std::string library = SettingText(s, "archive_library").value_or("");
  f.evidence.push_back(fmt::format(
      "archive_mode = {}, {}", SettingText(s, "archive_mode").value_or("?"),
      library.empty() ? "archive_command " + SettingText(s, "archive_command").value_or("unknown")
                      : "archive_library = " + library));
  f.recommendation = model::Recommendation{
      "",
      "Until archiving succeeds every WAL segment stays in pg_wal, which fills the disk, and "
      "point-in-time recovery has a gap from the last archived segment on. The server log "
      "has the archive command's error: a full or unreachable destination, permissions, expired "
      "credentials."};
  out.push_back(std::move(f));
}

}  // namespace pgvigil::analysis
