// SPDX-License-Identifier: Apache-2.0
#include "analysis/thresholds.h"

#include <cstdio>
#include <cstdlib>

namespace pgvigil::analysis {

Thresholds::Thresholds(std::vector<ThresholdOverride> overrides)
    : overrides_(std::move(overrides)) {}

const ThresholdDefault& Thresholds::Default(std::string_view key) const {
  for (const ThresholdDefault& d : DefaultThresholds()) {
    if (d.key == key) return d;
  }
  std::fprintf(stderr, "analysis: no default threshold for %.*s\n", static_cast<int>(key.size()),
               key.data());
  std::abort();
}

Level Thresholds::Get(std::string_view key, std::string_view target,
                      std::string_view object) const {
  Level level = Default(key).level;
  // Specificity: 0 global, 1 target pattern, 2 object pattern, 3 both.
  int best = -1;
  for (const ThresholdOverride& o : overrides_) {
    if (o.key != key) continue;
    if (!GlobMatch(o.target_pattern, target) || !GlobMatch(o.object_pattern, object)) continue;
    const int specificity = (o.target_pattern != "*" ? 1 : 0) + (o.object_pattern != "*" ? 2 : 0);
    if (specificity < best) continue;
    best = specificity;
    if (o.level.warning) level.warning = o.level.warning;
    if (o.level.critical) level.critical = o.level.critical;
  }
  return level;
}

double Thresholds::Param(std::string_view key, std::string_view target,
                         std::string_view object) const {
  const Level level = Get(key, target, object);
  if (!level.warning) {
    std::fprintf(stderr, "analysis: parameter %.*s has no value\n", static_cast<int>(key.size()),
                 key.data());
    std::abort();
  }
  return *level.warning;
}

Thresholds::Verdict Thresholds::Classify(std::string_view key, double value,
                                         std::string_view target, std::string_view object) const {
  const Level level = Get(key, target, object);
  const bool higher_is_worse = Default(key).direction == Direction::kHigherIsWorse;
  auto crosses = [&](const std::optional<double>& limit) {
    return limit.has_value() && (higher_is_worse ? value >= *limit : value <= *limit);
  };
  if (crosses(level.critical)) return {model::Severity::kCritical, level.critical};
  if (crosses(level.warning)) return {model::Severity::kWarning, level.warning};
  return {};
}

}  // namespace pgvigil::analysis
