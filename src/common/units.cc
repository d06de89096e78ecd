// SPDX-License-Identifier: Apache-2.0
#include "common/units.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace pgvigil::common {
namespace {

struct Unit {
  std::string_view suffix;
  QuantityKind kind;
  double factor;
};

// Longest suffixes first, so "ms" is not read as "s" and "min" not as "m…".
constexpr Unit kUnits[] = {
    {"min", QuantityKind::kSeconds, 60},     {"ms", QuantityKind::kSeconds, 0.001},
    {"us", QuantityKind::kSeconds, 1e-6},    {"kB", QuantityKind::kBytes, 1024.0},
    {"MB", QuantityKind::kBytes, 1048576.0}, {"GB", QuantityKind::kBytes, 1073741824.0},
    {"TB", QuantityKind::kBytes, 1099511627776.0},
    {"B", QuantityKind::kBytes, 1},          {"s", QuantityKind::kSeconds, 1},
    {"h", QuantityKind::kSeconds, 3600},     {"d", QuantityKind::kSeconds, 86400},
    {"%", QuantityKind::kRatio, 0.01},
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view QuantityKindName(QuantityKind kind) {
  switch (kind) {
    case QuantityKind::kNumber: return "number";
    case QuantityKind::kRatio: return "percentage";
    case QuantityKind::kSeconds: return "duration";
    case QuantityKind::kBytes: return "size";
  }
  return "?";
}

Result<Quantity> ParseQuantity(std::string_view text) {
  const std::string_view t = Trim(text);
  Quantity q;
  double factor = 1;
  std::string_view number = t;
  for (const Unit& u : kUnits) {
    if (t.size() > u.suffix.size() && t.ends_with(u.suffix)) {
      number = Trim(t.substr(0, t.size() - u.suffix.size()));
      q.kind = u.kind;
      factor = u.factor;
      break;
    }
  }
  double value = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size() ||
      !std::isfinite(value)) {
    return InvalidArgumentError(fmt::format(
        "'{}' is not a number with an optional unit (ms, s, min, h, d, kB, MB, GB, TB, %)", t));
  }
  if (value < 0) return InvalidArgumentError(fmt::format("'{}' is negative", t));
  q.value = value * factor;
  return q;
}

Result<double> ParseDurationSeconds(std::string_view text) {
  PGV_ASSIGN_OR_RETURN(Quantity q, ParseQuantity(text));
  if (q.kind != QuantityKind::kSeconds && q.kind != QuantityKind::kNumber) {
    return InvalidArgumentError(fmt::format("'{}' is not a duration (e.g. 500ms, 5s, 2min)", text));
  }
  return q.value;
}

}  // namespace pgvigil::common
