// SPDX-License-Identifier: Apache-2.0
#include "alerts/rule.h"

namespace pgvigil::alerts {

bool GlobMatch(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point for the last '*'.
  size_t p = 0;
  size_t t = 0;
  size_t star = std::string_view::npos;
  size_t star_text = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_text = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

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
