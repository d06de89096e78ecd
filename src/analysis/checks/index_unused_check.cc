// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/index_unused_check.h"

#include <algorithm>
#include <optional>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
namespace {

constexpr double kSecondsPerDay = 86400;

// The identity index.unused matches an index by across samples (its oid may change with a
// re-creation; a name is what a user reads).
auto Key(const model::IndexStats& i) { return std::tie(i.datname, i.schemaname, i.indexrelname); }

// One earlier sample's indexes sorted by Key, for a binary search: a large database has
// thousands of indexes in each of dozens of history samples.
struct IndexedSample {
  const model::Snapshot* sample = nullptr;
  std::vector<const model::IndexStats*> by_key;

  const model::IndexStats* Find(const model::IndexStats& like) const {
    const auto it = std::lower_bound(
        by_key.begin(), by_key.end(), &like,
        [](const model::IndexStats* a, const model::IndexStats* b) { return Key(*a) < Key(*b); });
    return it != by_key.end() && Key(**it) == Key(like) ? *it : nullptr;
  }
};

std::optional<common::Timestamp> StatsReset(const model::Snapshot& s, std::string_view datname) {
  for (const model::DatabaseStats& d : s.databases) {
    if (d.datname == datname) return d.stats_reset;
  }
  return std::nullopt;
}

// pg_stat_user_indexes is read with the slow tier: its samples are as of that tier's time.
common::Timestamp IndexesReadAt(const model::Snapshot& s) {
  return model::CollectedAt(s, model::kSlowTier);
}

double DaysBetween(common::Timestamp from, common::Timestamp to) {
  return std::chrono::duration<double>(to - from).count() / kSecondsPerDay;
}

// "2026-03-01 07:03 UTC"
std::string Day(common::Timestamp t) {
  std::string text = common::FormatTimestamp(t).substr(0, 16);
  if (text.size() > 10) text[10] = ' ';
  return text + " UTC";
}

}  // namespace

namespace {

// Earlier samples, newest first: `previous`, then the history, each indexed once per
// evaluation.
std::vector<IndexedSample> EarlierSamples(const CheckInput& input) {
  std::vector<const model::Snapshot*> earlier;
  if (input.previous != nullptr) earlier.push_back(input.previous);
  for (auto it = input.history.snapshots.rbegin(); it != input.history.snapshots.rend(); ++it) {
    if (*it != nullptr && *it != input.previous) earlier.push_back(*it);
  }
  std::sort(earlier.begin(), earlier.end(), [](const model::Snapshot* a, const model::Snapshot* b) {
    return IndexesReadAt(*a) > IndexesReadAt(*b);
  });
  std::vector<IndexedSample> out;
  out.reserve(earlier.size());
  for (const model::Snapshot* s : earlier) {
    IndexedSample indexed{s, {}};
    indexed.by_key.reserve(s->indexes.size());
    for (const model::IndexStats& i : s->indexes) indexed.by_key.push_back(&i);
    std::sort(
        indexed.by_key.begin(), indexed.by_key.end(),
        [](const model::IndexStats* a, const model::IndexStats* b) { return Key(*a) < Key(*b); });
    out.push_back(std::move(indexed));
  }
  return out;
}

common::Timestamp UnusedSince(const CheckInput& input, const std::vector<IndexedSample>& earlier,
                              const model::IndexStats& index) {
  const model::Snapshot& now = input.current;
  common::Timestamp since = IndexesReadAt(now);
  for (const IndexedSample& e : earlier) {
    const model::Snapshot& s = *e.sample;
    // The same read as `now`'s (the daemon stores the slow sample it composes `now` from).
    if (IndexesReadAt(s) >= IndexesReadAt(now)) continue;
    // A restart may have lost the counters (a crash does): nothing before it proves anything.
    if (!CountersComparable(now, s, model::kSlowTier)) break;
    // A sample without the part is a gap, not a scan: the cumulative counter still covers it.
    if (!Collected(s, "stat_user_indexes")) continue;
    // Not there yet, or scanned then. The daemon's history holds only the indexes without a
    // scan (store::HistoryStore::LoadHistory): there a scanned one is missing, which ends the
    // walk just the same.
    const model::IndexStats* then = e.Find(index);
    if (then == nullptr || then->idx_scan != 0) break;
    since = IndexesReadAt(s);
  }
  // A reset in between (pg_stat_reset, or a single table's: both move the database's
  // stats_reset) could have erased scans made after `since`.
  if (const auto reset = StatsReset(now, index.datname); reset && *reset > since) {
    since = std::min(*reset, IndexesReadAt(now));
  }
  return since;
}

}  // namespace

common::Timestamp UnusedSince(const CheckInput& input, const model::IndexStats& index) {
  return UnusedSince(input, EarlierSamples(input), index);
}

void IndexUnusedCheck::Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  if (!Collected(s, "stat_user_indexes")) return;
  std::optional<std::vector<IndexedSample>> earlier;  // built for the first candidate
  for (const model::IndexStats& idx : s.indexes) {
    if (idx.idx_scan != 0) continue;
    // An invalid index is never scanned by design (index.invalid says what to do), and a unique
    // or constraint index enforces something even when no query reads it.
    if (!idx.indisvalid || !idx.indisready || !idx.indislive) continue;
    if (idx.indisunique || idx.indisprimary || idx.indisexclusion || !idx.constraint_type.empty()) {
      continue;
    }
    const std::string object = RelationObject(idx.datname, idx.schemaname, idx.indexrelname);
    const double size = static_cast<double>(idx.estimated_size_bytes);
    const double min_bytes = input.thresholds.Param("index.unused.min_bytes", s.target, object);
    if (size < min_bytes) continue;
    const double min_days = input.thresholds.Param("index.unused.min_days", s.target, object);

    if (!earlier) earlier = EarlierSamples(input);
    const common::Timestamp since = UnusedSince(input, *earlier, idx);
    const double days = DaysBetween(since, IndexesReadAt(s));
    const bool proven = days >= min_days;
    const auto reset = StatsReset(s, idx.datname);

    model::Finding f;
    f.id = "index.unused";
    f.object = object;
    f.value = size;
    f.unit = "bytes";
    if (proven) {
      const auto verdict = input.thresholds.Classify("index.unused", size, s.target, object);
      f.severity =
          verdict.severity == model::Severity::kOk ? model::Severity::kInfo : verdict.severity;
      f.threshold = verdict.threshold ? verdict.threshold : min_bytes;
      f.message =
          fmt::format("index {} ({}) on {} has not been scanned for {}", idx.indexrelname,
                      FormatBytes(size), idx.relname, FormatDuration(days * kSecondsPerDay));
    } else {
      f.severity = model::Severity::kInfo;
      f.insufficient_data = true;
      f.threshold = min_bytes;
      f.message = fmt::format(
          "index {} ({}) on {} has no scan {}; not judged yet: {} of the {:g} days "
          "index.unused.min_days asks, to tell an unused index from a new one",
          idx.indexrelname, FormatBytes(size), idx.relname,
          reset ? fmt::format("since the statistics reset of {}", Day(*reset))
                : std::string("since statistics began"),
          days > 0
              ? fmt::format("samples show it unused for {}", FormatDuration(days * kSecondsPerDay))
              : std::string("no earlier sample shows it unused"),
          min_days);
    }
    f.evidence.push_back(fmt::format("pg_stat_user_indexes.idx_scan = 0 for {}.{}", idx.schemaname,
                                     idx.indexrelname));
    if (reset) {
      f.evidence.push_back(fmt::format(
          "statistics of database {} count since their reset on {} ({} ago); the index may be "
          "younger",
          idx.datname, Day(*reset),
          FormatDuration(DaysBetween(*reset, IndexesReadAt(s)) * kSecondsPerDay)));
    } else {
      f.evidence.push_back(fmt::format(
          "statistics of database {} were never reset: they count since the cluster was created "
          "or last lost its statistics (crash, immediate shutdown, restore)",
          idx.datname));
    }
    if (days > 0) {
      f.evidence.push_back(fmt::format("idx_scan stayed 0 in every sample since {} ({})",
                                       Day(since), FormatDuration(days * kSecondsPerDay)));
    }
    f.evidence.push_back(fmt::format("{} index, {} ({} pages), not unique, backs no constraint",
                                     idx.access_method, FormatBytes(size), idx.relpages));
    f.recommendation = model::Recommendation{
        fmt::format("DROP INDEX CONCURRENTLY {};",
                    QuoteQualified(idx.schemaname, idx.indexrelname)),
        "Every INSERT, and every UPDATE that is not HOT, writes to this index, and vacuum scans "
        "it; without it writes get cheaper and the cache holds more of what is read. Check the "
        "standbys first: each keeps its own scan counts, and a query that runs only there uses "
        "the index where this primary cannot see it. Keep its definition "
        "(pg_get_indexdef) to re-create it if needed."};
    out.push_back(std::move(f));
  }
}

}  // namespace pgvigil::analysis
