// SPDX-License-Identifier: Apache-2.0
// A HealthReport is the verdict over one target's findings: status, score, the reasons in words
// and the findings themselves, most severe first. Plain data, produced by analysis/.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/finding.h"
#include "model/finding_list.h"

namespace pgvigil::model {

// The overall verdict over a set of findings: see analysis/README.md for the formula.
enum class HealthStatus { kHealthy, kDegraded, kUnhealthy };

// "healthy", "degraded", "unhealthy".
inline std::string_view HealthStatusName(HealthStatus status) {
  switch (status) {
    case HealthStatus::kHealthy:
      return "healthy";
    case HealthStatus::kDegraded:
      return "degraded";
    case HealthStatus::kUnhealthy:
      return "unhealthy";
  }
  return "unknown";
}

struct HealthReport {
  std::string target;
  HealthStatus status = HealthStatus::kHealthy;
  int score = 100;                   // 0–100
  std::vector<std::string> reasons;  // why the score is what it is, most important first
  FindingList findings;              // most severe first
};

}  // namespace pgvigil::model
