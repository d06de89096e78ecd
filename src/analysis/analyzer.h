// SPDX-License-Identifier: Apache-2.0
// Runs every check over one target's snapshots and scores the result. Pure, thread-safe.
#pragma once

#include <span>

#include "analysis/check.h"
#include "model/finding.h"

namespace pgvigil::analysis {

// The findings of `checks` (by default every built-in one) on `input`, scored. Every finding
// gets input.current.target as its target.
model::HealthReport Analyze(const CheckInput& input,
                            std::span<const Check* const> checks = BuiltinChecks());

}  // namespace pgvigil::analysis
