// SPDX-License-Identifier: Apache-2.0
// HistoryStore keeps the daemon's history of each target: metric series (raw points with
// 5-minute and hourly roll-ups), per-sample statement, table, index and database-size figures
// for the history checks, and episodes of findings. It stores and returns; it never judges.
// SqliteHistoryStore is the embedded implementation; a PostgreSQL one for fleets can follow.
//
// Thread safety: every method may be called from any thread. Implementations serialise writes
// (the daemon calls them from one writer thread) and let reads (HTTP threads) run beside them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "model/finding.h"
#include "model/finding_list.h"
#include "model/metric_point.h"
#include "model/snapshot.h"

namespace pgvigil::store {

enum class Aggregation { kAvg, kMin, kMax, kLast, kSum };

// Where QuerySeries reads from: raw points, 5-minute or hourly roll-ups.
enum class Resolution { kRaw, kFiveMinutes, kHourly };

struct SeriesQuery {
  std::string target;
  std::string metric;
  // Series whose labels contain every pair here; empty: every series of the metric.
  model::MetricLabels labels;
  common::Timestamp from{};           // inclusive
  common::Timestamp to{};             // exclusive
  std::chrono::microseconds step{0};  // bucket width; must be positive
  Aggregation aggregation = Aggregation::kAvg;
};

struct SeriesPoint {
  common::Timestamp timestamp{};  // the start of the bucket (a multiple of `step` since the epoch)
  double value = 0;
  friend bool operator==(const SeriesPoint&, const SeriesPoint&) = default;
};

struct Series {
  std::string metric;
  model::MetricLabels labels;
  std::vector<SeriesPoint> points;  // buckets with at least one point, oldest first
};

struct SeriesResult {
  Resolution resolution = Resolution::kRaw;  // the source chosen for the range and step
  std::vector<Series> series;                // by labels
};

struct MetricInfo {
  std::string metric;
  model::MetricLabels labels;
};

struct FindingEpisode {
  std::string target;
  std::string id;  // the finding's id: "table.vacuum_overdue"
  std::string object;
  common::Timestamp first_seen{};
  common::Timestamp last_seen{};
  std::optional<common::Timestamp> closed_at;  // empty while the finding is still reported
  model::Severity worst_severity = model::Severity::kInfo;
  model::Severity last_severity = model::Severity::kInfo;
  std::optional<double> last_value;
  std::string unit;
  std::string message;  // the latest message
};

// What one Compact() did, for logs and self-metrics.
struct CompactStats {
  std::int64_t rolled_up_5m = 0;    // 5-minute buckets written
  std::int64_t rolled_up_1h = 0;    // hourly buckets written
  std::int64_t deleted_points = 0;  // raw points and roll-up rows past their retention
  std::int64_t deleted_samples = 0;
  std::int64_t deleted_episodes = 0;
  int transactions = 0;
};

class HistoryStore {
 public:
  virtual ~HistoryStore() = default;

  // Appends points (of any targets and metrics). A point at the timestamp of an existing one of
  // the same series replaces it.
  virtual common::Status AppendPoints(std::span<const model::MetricPoint> points) = 0;

  // Records the parts of one collection that the history checks read. Pass each tier's own
  // snapshot (its `tiers` say which parts are fresh), not a composed one: a "slow" snapshot
  // writes table, index and database-size samples; a snapshot holding pg_stat_statements
  // writes the top statements, at most once per statement_interval per target.
  virtual common::Status RecordSnapshot(const model::Snapshot& snapshot) = 0;

  // Updates the finding episodes of `target` with the complete set of findings it has at
  // `at`: a finding seen again extends its open episode (last_seen, worst severity, latest
  // value and message), a new one opens an episode, and an open episode missing from
  // `findings` is closed at `at`. (An open episode's last_seen is `at` of the target's latest
  // call; implementations need not rewrite each open episode per call to keep it so.)
  virtual common::Status RecordFindings(std::string_view target, common::Timestamp at,
                                        const model::FindingList& findings) = 0;

  // Points of `query.metric` bucketed by `query.step`, one Series per matching label set.
  // kInvalidArgument for a non-positive step or an empty range.
  virtual common::Result<SeriesResult> QuerySeries(const SeriesQuery& query) = 0;

  // Every series (metric and labels) of `target`, sorted.
  virtual common::Result<std::vector<MetricInfo>> ListMetrics(std::string_view target) = 0;

  // Samples of `target` collected at or after `since` (and, per part, the newest one before it:
  // the history reaches back the whole window), oldest first, bounded for the daemon's
  // memory and spread over the whole window: at most `max_samples` samples with statements and
  // at most `max_samples` with slow parts, each set evenly thinned (by position in time order)
  // with its oldest and newest kept (1: the newest only). Each comes back as a snapshot holding
  // only what the history checks read: collected_at, the server's start time and role,
  // statements (cumulative counters, without rolname and datname) with
  // pg_stat_statements_info; the indexes that had no scan in the sample and in every newer one
  // loaded (identity only: what index.unused looks up, which stops at the first sample where
  // an index is missing or scanned; samples with the same set share one buffer) and database
  // sizes; and an ok outcome for each part present
  // ("stat_statements", "stat_user_indexes", "storage"). Tables are not loaded: no history
  // check reads them.
  virtual common::Result<std::vector<model::Snapshot>> LoadHistory(std::string_view target,
                                                                   common::Timestamp since,
                                                                   int max_samples) = 0;

  // Episodes of `target` that overlap [from, to], by first_seen.
  virtual common::Result<std::vector<FindingEpisode>> FindingEpisodes(std::string_view target,
                                                                      common::Timestamp from,
                                                                      common::Timestamp to) = 0;

  // Rolls raw points up into 5-minute and hourly buckets that closed before `now`, and deletes
  // what is past its retention, in bounded batches (one short transaction each).
  virtual common::Result<CompactStats> Compact(common::Timestamp now) = 0;
};

}  // namespace pgvigil::store
