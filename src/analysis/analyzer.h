// SPDX-License-Identifier: Apache-2.0
// Runs every check over one target's snapshots and scores the result. Pure, thread-safe.
#pragma once

#include <span>

#include "analysis/check.h"
#include "model/finding.h"
#include "model/health_report.h"

namespace pgvigil::analysis {

// The findings of `checks` (by default every built-in one) on `input`, scored. Every finding
// gets input.current.target as its target.
model::HealthReport Analyze(const CheckInput& input,
                            std::span<const Check* const> checks = BuiltinChecks());

// Re-judges only `checks` on `input` and keeps every finding of `previous` whose id none of
// them can produce, then scores the union. The daemon's fast tick: activity and locks change
// every second, statements every 15 s and tables every 5 min, so only the checks of the fast
// parts need to run again.
model::HealthReport Reanalyze(const CheckInput& input, std::span<const Check* const> checks,
                              const model::HealthReport& previous);

}  // namespace pgvigil::analysis
