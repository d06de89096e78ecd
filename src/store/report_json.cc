// SPDX-License-Identifier: Apache-2.0
#include "store/report_json.h"

#include "model/health_report.h"
#include "store/json_types.h"

namespace pgvigil::model {

NLOHMANN_JSON_SERIALIZE_ENUM(Severity, {{Severity::kOk, "ok"},
                                        {Severity::kInfo, "info"},
                                        {Severity::kWarning, "warning"},
                                        {Severity::kCritical, "critical"}})
NLOHMANN_JSON_SERIALIZE_ENUM(HealthStatus, {{HealthStatus::kHealthy, "healthy"},
                                            {HealthStatus::kDegraded, "degraded"},
                                            {HealthStatus::kUnhealthy, "unhealthy"}})
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Recommendation, sql, why)

}  // namespace pgvigil::model

namespace pgvigil::store {

nlohmann::json FindingToJson(const model::Finding& f) {
  nlohmann::json out = {
      {"id", f.id},
      {"severity", f.severity},
      {"target", f.target},
      {"object", f.object},
      {"value", f.value},
      {"threshold", f.threshold},
      {"unit", f.unit},
      {"message", f.message},
      {"recommendation", f.recommendation},
      {"evidence", f.evidence},
      {"insufficient_data", f.insufficient_data},
  };
  return out;
}

nlohmann::json HealthReportToJson(const model::HealthReport& r) {
  nlohmann::json findings = nlohmann::json::array();
  for (const model::Finding& f : r.findings) findings.push_back(FindingToJson(f));
  return {
      {"schema_version", kReportSchemaVersion},
      {"target", r.target},
      {"status", r.status},
      {"score", r.score},
      {"reasons", r.reasons},
      {"findings", std::move(findings)},
  };
}

}  // namespace pgvigil::store
