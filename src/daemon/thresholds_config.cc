// SPDX-License-Identifier: Apache-2.0
#include "daemon/thresholds_config.h"

#include <cmath>

#include <fmt/format.h>

namespace pgvigil::daemon {
namespace {

using common::QuantityKind;

const analysis::ThresholdDefault* FindDefault(std::string_view key) {
  for (const analysis::ThresholdDefault& d : analysis::DefaultThresholds()) {
    if (d.key == key) return &d;
  }
  return nullptr;
}

// The value in the default's unit, or the reason it does not fit. A plain number is taken in
// the default's unit; a unit must be of the right kind.
common::Result<double> Convert(const common::Quantity& q, std::string_view unit) {
  if (q.kind == QuantityKind::kNumber) return q.value;
  const bool fits = (unit == "ratio" && q.kind == QuantityKind::kRatio) ||
                    (unit == "seconds" && q.kind == QuantityKind::kSeconds) ||
                    (unit == "days" && q.kind == QuantityKind::kSeconds) ||
                    ((unit == "bytes" || unit == "bytes_per_second") && q.kind == QuantityKind::kBytes);
  if (!fits) {
    return common::InvalidArgumentError(fmt::format("a {} does not fit a threshold in {}",
                                                    common::QuantityKindName(q.kind), unit));
  }
  return unit == "days" ? q.value / 86400.0 : q.value;
}

}  // namespace

common::Result<analysis::Thresholds> BuildThresholds(const config::ThresholdsFile& file) {
  std::vector<analysis::ThresholdOverride> overrides;
  std::string errors;
  for (const std::string& e : file.errors) errors += (errors.empty() ? "" : "\n") + e;
  auto fail = [&](const config::ThresholdRule& r, const std::string& reason) {
    errors += fmt::format("{}{}:{}: {}", errors.empty() ? "" : "\n", r.where.file, r.where.line, reason);
  };
  for (const config::ThresholdRule& r : file.rules) {
    const analysis::ThresholdDefault* d = FindDefault(r.key);
    if (d == nullptr) {
      fail(r, fmt::format("unknown threshold '{}' (docs/configuration.md lists them)", r.key));
      continue;
    }
    analysis::ThresholdOverride o;
    o.key = r.key;
    o.target_pattern = r.target_pattern;
    o.object_pattern = r.object_pattern;
    bool ok = true;
    for (auto [quantity, level, name] :
         {std::tuple{&r.warning, &o.level.warning, "warning"},
          std::tuple{&r.critical, &o.level.critical, "critical"}}) {
      if (!quantity->has_value()) continue;
      auto value = Convert(**quantity, d->unit);
      if (!value.has_value()) {
        fail(r, fmt::format("{}.{}: {}", r.key, name, value.error().message()));
        ok = false;
        continue;
      }
      // A ratio whose default levels lie within 0–1 (a share, not a multiple): "80" is a typo.
      const bool is_share = d->unit == "ratio" && d->level.warning && *d->level.warning <= 1 &&
                            (!d->level.critical || *d->level.critical <= 1);
      if (is_share && *value > 1) {
        fail(r, fmt::format("{}.{}: {} is not a share between 0 and 1 (write 80% or 0.8)", r.key,
                            name, *value));
        ok = false;
        continue;
      }
      *level = *value;
    }
    if (ok) overrides.push_back(std::move(o));
  }
  if (!errors.empty()) return common::InvalidArgumentError(errors);
  return analysis::Thresholds(std::move(overrides));
}

common::Result<analysis::Thresholds> LoadThresholdsFile(const std::string& path) {
  return BuildThresholds(config::ReadThresholdsFile(path));
}

}  // namespace pgvigil::daemon

namespace pgvigil::daemon {
namespace {

std::string FormatLevel(const std::optional<double>& v, std::string_view unit) {
  if (!v) return "—";
  const double x = *v;
  if (unit == "ratio" && x <= 1) return fmt::format("{:g}%", x * 100);
  if (unit == "bytes" || unit == "bytes_per_second") {
    const char* suffix = unit == "bytes" ? "" : "/s";
    if (x >= 1073741824.0 && std::fmod(x, 1073741824.0) == 0) return fmt::format("{:g}GB{}", x / 1073741824.0, suffix);
    if (x >= 1048576.0 && std::fmod(x, 1048576.0) == 0) return fmt::format("{:g}MB{}", x / 1048576.0, suffix);
    return fmt::format("{:g}{}", x, suffix);
  }
  if (unit == "seconds") {
    if (x >= 86400 && std::fmod(x, 86400) == 0) return fmt::format("{:g}d", x / 86400);
    if (x >= 3600 && std::fmod(x, 3600) == 0) return fmt::format("{:g}h", x / 3600);
    if (x >= 60 && std::fmod(x, 60) == 0) return fmt::format("{:g}min", x / 60);
    if (x < 1) return fmt::format("{:g}ms", x * 1000);
    return fmt::format("{:g}s", x);
  }
  return fmt::format("{:g}", x);
}

}  // namespace

std::string DefaultThresholdsMarkdown() {
  std::string out = "| key | warning | critical | unit | what |\n|---|---|---|---|---|\n";
  for (const analysis::ThresholdDefault& d : analysis::DefaultThresholds()) {
    const bool lower = d.direction == analysis::Direction::kLowerIsWorse;
    out += fmt::format("| `{}` | {} | {} | {}{} | {} |\n", d.key, FormatLevel(d.level.warning, d.unit),
                       FormatLevel(d.level.critical, d.unit), d.unit, lower ? " (lower is worse)" : "",
                       d.help);
  }
  return out;
}

}  // namespace pgvigil::daemon
