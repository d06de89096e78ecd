// SPDX-License-Identifier: Apache-2.0
// Reads the `thresholds:` section of a pgvigil YAML file into plain rules, with the file and
// line of every value, and rejects what it cannot read: unknown keys, values that are not a
// quantity, malformed structure. Which threshold keys exist, and which units fit them, the
// caller checks (daemon/thresholds_config.cc), since config/ knows nothing of analysis.
//
//   thresholds:
//     connection.utilization: {warning: 75%, critical: 95%}
//     table.vacuum_overdue:
//       warning: 3
//       overrides:
//         - object: "app.public.queue_*"   # glob over the finding's object
//           warning: 50
//         - target: "prod-*"               # glob over the target name
//           critical: 20
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/units.h"

namespace pgvigil::config {

struct Located {
  std::string file;
  int line = 0;  // 1-based
};

struct ThresholdRule {
  std::string key;
  std::string target_pattern = "*";
  std::string object_pattern = "*";
  std::optional<common::Quantity> warning;
  std::optional<common::Quantity> critical;
  Located where;
};

struct ThresholdsFile {
  std::vector<ThresholdRule> rules;  // every rule read (a key's global level, then its overrides)
  std::vector<std::string> errors;   // "file:line: reason", every problem found
};

// Reads the file; a file that cannot be read at all is one error.
ThresholdsFile ReadThresholdsFile(const std::string& path);
// The same from text (for tests); `name` stands for the file name in messages.
ThresholdsFile ReadThresholdsText(const std::string& text, const std::string& name);

}  // namespace pgvigil::config
