// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/backup_stale_check.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "analysis/autovacuum_formula.h"
#include "analysis/checks/archiver_failing_check.h"
#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
namespace {

std::optional<std::uint64_t> Hex(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<double> SegmentEndBytes(std::string_view walfile, double segment_bytes) {
  if (walfile.size() != 24 || segment_bytes <= 0) return std::nullopt;
  const auto log = Hex(walfile.substr(8, 8));
  const auto seg = Hex(walfile.substr(16, 8));
  if (!Hex(walfile.substr(0, 8)) || !log || !seg) return std::nullopt;
  // XLogFromFileName: segno = log × (2^32 / segment size) + seg.
  const double segments_per_id = 4294967296.0 / segment_bytes;
  const double segno = static_cast<double>(*log) * segments_per_id + static_cast<double>(*seg);
  return (segno + 1) * segment_bytes;
}

void BackupStaleCheck::Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  if (ArchiverRuns(s) != true || !Collected(s, "archiver") || !s.archiver) return;
  const model::ArchiverStats& a = *s.archiver;
  // The age as of when pg_stat_archiver was read: a segment archived since is not seen yet, so a
  // later clock (a fresher fast tier) would overstate it.
  const common::Timestamp read_at = model::CollectedAt(s, model::kStandardTier);

  double age = 0;
  bool since_reset = false;
  if (a.last_archived_time) {
    age = std::chrono::duration<double>(read_at - *a.last_archived_time).count();
  } else if (a.stats_reset) {
    // Nothing archived since the statistics were reset: at least that long.
    age = std::chrono::duration<double>(read_at - *a.stats_reset).count();
    since_reset = true;
  } else {
    return;
  }
  const auto verdict = input.thresholds.Classify("backup.stale", age, s.target, "server");
  if (verdict.severity == model::Severity::kOk) return;

  // Is a completed segment waiting, or is the server just quiet?
  std::optional<double> waiting_bytes;
  const auto segment = SettingBytes(s, "wal_segment_size");
  if (Collected(s, "wal") && s.wal && s.wal->wal_lsn_bytes && segment && !since_reset) {
    if (const auto end = SegmentEndBytes(a.last_archived_wal, *segment)) {
      waiting_bytes = static_cast<double>(*s.wal->wal_lsn_bytes) - *end;
    }
  }
  const bool quiet = waiting_bytes && segment && *waiting_bytes < *segment;
  const auto archive_timeout = SettingSeconds(s, "archive_timeout");

  model::Finding f;
  f.id = "backup.stale";
  f.severity = quiet ? model::Severity::kInfo : verdict.severity;
  f.object = "server";
  f.value = age;
  f.threshold = verdict.threshold;
  f.unit = "seconds";
  if (since_reset) {
    f.message = fmt::format("no WAL segment has been archived since the statistics reset {} ago",
                            FormatDuration(age));
  } else {
    f.message = fmt::format("the last WAL segment ({}) was archived {} ago{}", a.last_archived_wal,
                            FormatDuration(age),
                            quiet ? ": the server has not completed a segment since, so the WAL "
                                    "written meanwhile is not archived yet"
                                  : ": point-in-time recovery cannot reach past it");
  }
  f.evidence.push_back(fmt::format("last_archived_wal = {}, last_archived_time {}",
                                   a.last_archived_wal.empty() ? "null" : a.last_archived_wal,
                                   AgoText(read_at, a.last_archived_time)));
  if (waiting_bytes) {
    f.evidence.push_back(fmt::format("{} of WAL written after that segment (segment size {})",
                                     FormatBytes(std::max(0.0, *waiting_bytes)),
                                     FormatBytes(*segment)));
  }
  if (a.last_failed_time) {
    f.evidence.push_back(fmt::format("last archive failure {} on {}",
                                     AgoText(read_at, a.last_failed_time), a.last_failed_wal));
  }
  f.evidence.push_back(fmt::format("archive_timeout = {}", archive_timeout && *archive_timeout > 0
                                                               ? FormatDuration(*archive_timeout)
                                                               : "0 (off)"));
  std::string sql;
  std::string why;
  if (quiet) {
    sql = "ALTER SYSTEM SET archive_timeout = '5min'; SELECT pg_reload_conf();";
    why =
        "Nothing is failing: the server writes too little WAL to fill a segment, and a segment "
        "is archived only when full (or at archive_timeout). With archive_timeout set, a "
        "recovery point is never older than that; each forced switch archives a whole "
        "segment, so do not set it much lower.";
  } else {
    why =
        "Completed WAL segments are not reaching the archive: see archiver.failing and the "
        "server log for the archive command's error. Until they do, a restore loses every "
        "transaction since the last archived segment. pgvigil sees the WAL archive only: check "
        "base backups with their own tool.";
  }
  f.recommendation = model::Recommendation{sql, why};
  out.push_back(std::move(f));
}

}  // namespace pgvigil::analysis
