// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/storage_size_limit_check.h"

#include <algorithm>

#include <fmt/format.h>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
namespace {

constexpr std::string_view kObject = "server";

// The summed size of every database, when the storage collector delivered it.
std::optional<double> TotalBytes(const model::Snapshot& s) {
  const model::CollectorOutcome* o = s.FindOutcome("storage");
  if (o == nullptr || o->status != model::CollectorStatus::kOk || s.database_sizes.empty()) {
    return std::nullopt;
  }
  double total = 0;
  for (const model::DatabaseSize& d : s.database_sizes) total += static_cast<double>(d.size_bytes);
  return total;
}

struct Trend {
  double bytes_per_second = 0;
  double span_seconds = 0;
  size_t points = 0;
};

// Least-squares slope of the summed size over time, from the history and the current sample.
std::optional<Trend> Growth(const CheckInput& input, double current_total) {
  // Database sizes are read with the slow tier: by its times, the current sample's own slow
  // read (stored in the history too) is not counted twice.
  const common::Timestamp now = model::CollectedAt(input.current, model::kSlowTier);
  std::vector<std::pair<double, double>> points;  // (seconds before current, bytes)
  for (const model::Snapshot* h : input.history.snapshots) {
    if (h == nullptr) continue;
    const common::Timestamp then = model::CollectedAt(*h, model::kSlowTier);
    if (then >= now) continue;
    if (const auto total = TotalBytes(*h)) {
      points.emplace_back(-std::chrono::duration<double>(now - then).count(), *total);
    }
  }
  points.emplace_back(0.0, current_total);
  if (points.size() < 2) return std::nullopt;
  double mean_t = 0;
  double mean_y = 0;
  for (const auto& [t, y] : points) {
    mean_t += t;
    mean_y += y;
  }
  mean_t /= static_cast<double>(points.size());
  mean_y /= static_cast<double>(points.size());
  double cov = 0;
  double var = 0;
  double earliest = 0;
  for (const auto& [t, y] : points) {
    cov += (t - mean_t) * (y - mean_y);
    var += (t - mean_t) * (t - mean_t);
    earliest = std::min(earliest, t);
  }
  if (var <= 0) return std::nullopt;
  return Trend{cov / var, -earliest, points.size()};
}

int Rank(model::Severity s) { return static_cast<int>(s); }

}  // namespace

void StorageSizeLimitCheck::Evaluate(const CheckInput& input,
                                     std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  const double limit = input.thresholds.Param("storage.size_limit.limit_bytes", s.target, kObject);
  if (limit <= 0) return;  // no plan limit configured for this target
  const auto total = TotalBytes(s);
  if (!total) return;

  const double ratio = *total / limit;
  const auto ratio_verdict =
      input.thresholds.Classify("storage.size_limit", ratio, s.target, kObject);

  std::optional<Trend> trend;
  std::optional<double> days_to_full;
  Thresholds::Verdict days_verdict;
  const double min_span =
      input.thresholds.Param("storage.size_limit.min_history_seconds", s.target, kObject);
  if (auto g = Growth(input, *total); g && g->span_seconds >= min_span) {
    trend = g;
    if (g->bytes_per_second > 0) {
      days_to_full = std::max(0.0, limit - *total) / g->bytes_per_second / 86400.0;
      days_verdict = input.thresholds.Classify("storage.size_limit.days_to_full", *days_to_full,
                                               s.target, kObject);
    }
  }
  if (ratio_verdict.severity == model::Severity::kOk &&
      days_verdict.severity == model::Severity::kOk) {
    return;
  }

  model::Finding f;
  f.id = "storage.size_limit";
  f.object = std::string(kObject);
  if (Rank(days_verdict.severity) > Rank(ratio_verdict.severity)) {
    f.severity = days_verdict.severity;
    f.value = *days_to_full;
    f.threshold = days_verdict.threshold;
    f.unit = "days";
  } else {
    f.severity = ratio_verdict.severity;
    f.value = ratio;
    f.threshold = ratio_verdict.threshold;
    f.unit = "ratio";
  }
  f.message = fmt::format("the databases take {}, {} of the {} plan limit", FormatBytes(*total),
                          FormatPercent(ratio), FormatBytes(limit));
  if (days_to_full) {
    f.message += fmt::format("; growing {} a day, full in {:.0f} days",
                             FormatBytes(trend->bytes_per_second * 86400), *days_to_full);
  }

  std::vector<const model::DatabaseSize*> largest;
  for (const model::DatabaseSize& d : s.database_sizes) largest.push_back(&d);
  std::sort(largest.begin(), largest.end(),
            [](const auto* a, const auto* b) { return a->size_bytes > b->size_bytes; });
  f.evidence.push_back(fmt::format("sum of pg_database_size() over {} databases = {} bytes",
                                   s.database_sizes.size(), static_cast<std::int64_t>(*total)));
  for (size_t i = 0; i < largest.size() && i < 3; ++i) {
    f.evidence.push_back(
        fmt::format("database {}: {}", largest[i]->datname, FormatBytes(largest[i]->size_bytes)));
  }
  f.evidence.push_back(fmt::format("storage.size_limit.limit_bytes = {:.0f}", limit));
  if (trend) {
    f.evidence.push_back(fmt::format("growth {} per day by least squares over {} samples in {}",
                                     FormatBytes(trend->bytes_per_second * 86400), trend->points,
                                     FormatDuration(trend->span_seconds)));
  } else {
    f.evidence.push_back(
        fmt::format("no growth trend: history spans less than {}", FormatDuration(min_span)));
  }
  f.evidence.push_back(
      "pg_database_size() counts the data files only: WAL, logs and temporary files also use "
      "the plan's storage");
  f.recommendation = model::Recommendation{
      "",
      "A full disk stops every write. Find what grows (the largest relations, table.bloat and "
      "index.unused findings), delete or archive old data, drop what is not used, or raise the "
      "plan's storage before it fills."};
  out.push_back(std::move(f));
}

}  // namespace pgvigil::analysis
