// SPDX-License-Identifier: Apache-2.0
#include "alerts/rule.h"

namespace pgvigil::alerts {

RuleSettings RuleSet::For(std::string_view check_id, std::string_view target,
                          std::string_view object) const {
  RuleSettings s = defaults_;
  for (const Rule& r : rules_) {
    if (!GlobMatch(r.check_pattern, check_id) || !GlobMatch(r.target_pattern, target) ||
        !GlobMatch(r.object_pattern, object)) {
      continue;
    }
    if (r.enabled) s.enabled = *r.enabled;
    if (r.min_severity) s.min_severity = *r.min_severity;
    if (r.for_duration) s.for_duration = *r.for_duration;
    if (r.resolve_after) s.resolve_after = *r.resolve_after;
    if (r.renotify_interval) s.renotify_interval = *r.renotify_interval;
  }
  return s;
}

}  // namespace pgvigil::alerts
