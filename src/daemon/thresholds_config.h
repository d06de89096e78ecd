// SPDX-License-Identifier: Apache-2.0
// Thresholds from a configuration file: config/ reads the rules, this checks them against
// analysis' table of defaults (the key exists, the unit fits) and builds analysis::Thresholds.
#pragma once

#include <string>
#include <vector>

#include "analysis/thresholds.h"
#include "common/result.h"
#include "config/thresholds_file.h"

namespace pgvigil::daemon {

// kInvalidArgument listing every problem as "file:line: reason", one a line: the file's own
// (`file.errors`) and the rules' (unknown keys, units that do not fit).
common::Result<analysis::Thresholds> BuildThresholds(const config::ThresholdsFile& file);
common::Result<analysis::Thresholds> LoadThresholdsFile(const std::string& path);

}  // namespace pgvigil::daemon

namespace pgvigil::daemon {

// The table of every threshold and parameter with its default, as Markdown: docs/configuration.md
// embeds it (a test keeps the two in sync) and `pgvigil thresholds` prints it.
std::string DefaultThresholdsMarkdown();

}  // namespace pgvigil::daemon
