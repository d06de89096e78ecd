// SPDX-License-Identifier: Apache-2.0
// Alert rules are data: which findings may alert, and the timing of their lifecycle. Every
// warning or critical finding can alert by default; Rules select findings by globs over the
// check id, the target and the object, and override some settings. Pure, thread-compatible.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/glob.h"
#include "model/finding.h"

namespace pgvigil::alerts {

using Duration = std::chrono::microseconds;

// The settings that apply to one (check, target, object).
struct RuleSettings {
  bool enabled = true;
  model::Severity min_severity = model::Severity::kWarning;
  // How long a condition must be seen without interruption before it fires. 30 s is ~30 samples
  // of the fast tier: a lock or a connection spike that comes and goes does not page, and a
  // real one is still reported within a minute. `for: 0s` fires on the first sighting.
  Duration for_duration = std::chrono::seconds(30);
  // How long a firing condition must be seen clear (by successful collections) before it
  // resolves, and how long a lower severity must hold before de-escalating: a condition that
  // hovers around its threshold resolves once, not on every sample.
  Duration resolve_after = std::chrono::seconds(60);
  // Unacknowledged critical alerts are notified again this often (0: never). Alertmanager's
  // repeat_interval default.
  Duration renotify_interval = std::chrono::hours(4);
};

struct Rule {
  std::string check_pattern = "*";  // shell globs: '*' any run, '?' one character
  std::string target_pattern = "*";
  std::string object_pattern = "*";
  std::optional<bool> enabled;
  std::optional<model::Severity> min_severity;
  std::optional<Duration> for_duration;
  std::optional<Duration> resolve_after;
  std::optional<Duration> renotify_interval;
};

// The defaults, then every matching rule in order: a later rule's set fields win.
class RuleSet {
 public:
  RuleSet() = default;
  explicit RuleSet(std::vector<Rule> rules, RuleSettings defaults = {})
      : rules_(std::move(rules)), defaults_(defaults) {}

  RuleSettings For(std::string_view check_id, std::string_view target,
                   std::string_view object) const;

 private:
  std::vector<Rule> rules_;
  RuleSettings defaults_;
};

// Shell-style glob: '*' any run, '?' one character; everything else literal.
using common::GlobMatch;

}  // namespace pgvigil::alerts
