// SPDX-License-Identifier: Apache-2.0
// The JSON form of findings and health reports: what `pgvigil check --format json` prints and
// the API serves. The schema is documented in docs/check.md and versioned by schema_version.
#pragma once

#include <nlohmann/json.hpp>

#include "model/finding.h"
#include "model/health_report.h"

namespace pgvigil::store {

inline constexpr int kReportSchemaVersion = 1;

nlohmann::json FindingToJson(const model::Finding& finding);
nlohmann::json HealthReportToJson(const model::HealthReport& report);

}  // namespace pgvigil::store
