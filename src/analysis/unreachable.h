// SPDX-License-Identifier: Apache-2.0
// The verdict on a target that could not be reached: one critical target.unreachable finding
// and an unhealthy score of 0. No other finding is made up from stale data: what was known
// before stays in the cache as the last snapshot, and alerts treat "no data" as not "all clear".
// Pure, thread-safe.
#pragma once

#include <string>

#include "common/clock.h"
#include "model/finding.h"
#include "model/health_report.h"

namespace pgvigil::analysis {

// `error` is the one-line reason (already free of secrets); `since` when the target was first
// found unreachable in this episode.
model::HealthReport UnreachableReport(const std::string& target, const std::string& error,
                                      common::Timestamp since, common::Timestamp now);

}  // namespace pgvigil::analysis
