// SPDX-License-Identifier: Apache-2.0
// Quantities with units as people write them in configuration and on the command line:
// durations ("500ms", "5s", "5min", "2h", "7d"), sizes ("512kB", "1GB"; powers of 1024, as
// PostgreSQL reads them), percentages ("80%" → 0.8) and plain numbers. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace pgvigil::common {

enum class QuantityKind { kNumber, kRatio, kSeconds, kBytes };

struct Quantity {
  double value = 0;  // in seconds, bytes, a 0–1 ratio, or the plain number
  QuantityKind kind = QuantityKind::kNumber;
};

std::string_view QuantityKindName(QuantityKind kind);

// Parses "80%", "5min", "1.5GB", "1000", "0.25". kInvalidArgument with the reason otherwise.
Result<Quantity> ParseQuantity(std::string_view text);

// A duration; a plain number is taken as seconds.
Result<double> ParseDurationSeconds(std::string_view text);

}  // namespace pgvigil::common
