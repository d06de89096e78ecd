// SPDX-License-Identifier: Apache-2.0
// Reads the alert rules of the `alerts:` section of a pgvigil YAML file into plain values, with
// the file and line of every value, and rejects what it cannot read (unknown keys, durations
// that are not durations, severities other than warning / critical). The daemon turns them into
// alerts::Rule values (config/ knows nothing of alerts/). docs/alerts.md has the format:
//
//   alerts:
//     defaults: {for: 30s, resolve_after: 1min, renotify_interval: 4h, min_severity: warning}
//     rules:
//       - check: "locks.*"        # globs over the finding's check id, target and object
//         target: "prod-*"
//         for: 0s
//       - check: index.unused
//         enabled: false
//     channels: …                 # read by the notifiers' reader, not here
//     routes: …
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace pgvigil::config {

// Every field but the patterns is optional: unset means "as the defaults / earlier rules say".
struct AlertRuleConfig {
  std::string check_pattern = "*";
  std::string target_pattern = "*";
  std::string object_pattern = "*";
  std::optional<bool> enabled;
  std::optional<std::string> min_severity;  // "warning" or "critical"
  std::optional<std::chrono::microseconds> for_duration;
  std::optional<std::chrono::microseconds> resolve_after;
  std::optional<std::chrono::microseconds> renotify_interval;
  std::string file;
  int line = 0;  // 1-based
};

struct AlertsFile {
  AlertRuleConfig defaults;            // patterns "*"; fields set only when the file sets them
  std::vector<AlertRuleConfig> rules;  // in file order: a later matching rule wins
  std::vector<std::string> errors;     // "file:line: reason", every problem found
};

// Reads the file; a file that cannot be read at all is one error. A file without `alerts:`
// gives no rules and no errors (every warning / critical finding alerts with the defaults).
AlertsFile ReadAlertsFile(const std::string& path);
// The same from text (for tests); `name` stands for the file name in messages.
AlertsFile ReadAlertsText(const std::string& text, const std::string& name);

}  // namespace pgvigil::config
