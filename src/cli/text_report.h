// SPDX-License-Identifier: Apache-2.0
// The terminal form of a health report: verdict first, then findings grouped by severity in
// aligned columns, each with its fix. Colour only when asked (a TTY); the severity is always
// also written in words.
#pragma once

#include <string>

#include "model/finding.h"
#include "model/health_report.h"
#include "model/snapshot.h"

namespace pgvigil::cli {

struct TextReportOptions {
  bool colour = false;
  int width = 100;  // wrap messages at this many columns
};

std::string FormatTextReport(const model::HealthReport& report, const model::Snapshot& snapshot,
                             const TextReportOptions& options);

}  // namespace pgvigil::cli
