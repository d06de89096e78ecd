// SPDX-License-Identifier: Apache-2.0
// Thresholds: a warning and a critical level per measure, with defaults from the field's common
// practice (default_thresholds.cc, one row each) and overrides from configuration, globally,
// per target and per object pattern (glob: "app.public.orders_*"). The most specific matching
// override wins (object pattern beats target pattern beats global; later beats earlier among
// equals). Immutable after construction; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/glob.h"
#include "model/finding.h"

namespace pgvigil::analysis {

// Whether a larger value is worse (dead tuples) or a smaller one (cache hit ratio).
enum class Direction { kHigherIsWorse, kLowerIsWorse };

struct Level {
  std::optional<double> warning;
  std::optional<double> critical;
};

struct ThresholdDefault {
  std::string_view key;  // the finding id, or "<id>.<parameter>" for a check's other knobs
  Direction direction;
  Level level;            // a parameter (a minimum size, a minimum of calls) uses `warning`
  std::string_view unit;  // "ratio", "seconds", "bytes", "count", "transactions", "ms", "days"
  std::string_view help;
};

// Every default, in one table (default_thresholds.cc).
std::span<const ThresholdDefault> DefaultThresholds();

struct ThresholdOverride {
  std::string key;
  std::string target_pattern = "*";  // glob over the target name
  std::string object_pattern = "*";  // glob over the finding's object
  Level level;                       // a level left empty keeps the default's
};

class Thresholds {
 public:
  Thresholds() = default;
  explicit Thresholds(std::vector<ThresholdOverride> overrides);

  // The levels of `key` for this target and object. Aborts on a key with no default: that is a
  // bug in a check (tests catch it), not an input error.
  Level Get(std::string_view key, std::string_view target = "", std::string_view object = "") const;
  // A check's parameter: Get(key).warning, which every parameter default has.
  double Param(std::string_view key, std::string_view target = "",
               std::string_view object = "") const;
  const ThresholdDefault& Default(std::string_view key) const;

  // The severity of `value` against `key`, and the level it crossed (none for kOk).
  struct Verdict {
    model::Severity severity = model::Severity::kOk;
    std::optional<double> threshold;
  };
  Verdict Classify(std::string_view key, double value, std::string_view target = "",
                   std::string_view object = "") const;

 private:
  std::vector<ThresholdOverride> overrides_;
};

// Shell-style glob: '*' any run, '?' one character; everything else literal.
using common::GlobMatch;

}  // namespace pgvigil::analysis
