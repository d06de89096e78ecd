// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/connection_utilization_check.h"

#include <fmt/format.h>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {

void ConnectionUtilizationCheck::Evaluate(const CheckInput& input,
                                          std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  const auto usable_connections = UsableConnections(s);
  if (!usable_connections || !Collected(s, "stat_activity")) {
    return;  // nothing to judge from: no finding rather than a guess
  }
  const double usable = *usable_connections;
  // For the evidence: UsableConnections read max_connections, so it is there.
  const double max_connections = SettingNumber(s, "max_connections").value_or(usable);
  const double reserved = max_connections - usable;
  // Only client backends count against max_connections (walsenders have their own limit,
  // background workers theirs).
  int clients = 0;
  for (const model::Backend& b : s.activity) {
    if (b.backend_type == "client backend") ++clients;
  }
  const double ratio = clients / usable;
  const auto verdict = input.thresholds.Classify("connection.utilization", ratio, s.target);
  if (verdict.severity == model::Severity::kOk) return;
  model::Finding f;
  f.id = "connection.utilization";
  f.severity = verdict.severity;
  f.object = "server";
  f.value = ratio;
  f.threshold = verdict.threshold;
  f.unit = "ratio";
  f.message = fmt::format("{} of {} usable connections in use ({}); new clients are refused at 100 %",
                          clients, usable, FormatPercent(ratio));
  f.evidence = {fmt::format("max_connections = {}, reserved = {}", max_connections, reserved),
                fmt::format("{} client backends in pg_stat_activity", clients)};
  f.recommendation = model::Recommendation{
      "", "Put a connection pooler (PgBouncer) in front of the applications, look for idle "
          "sessions that an application forgot to close (connection.by_application), or raise "
          "max_connections (restart; each connection costs memory)."};
  out.push_back(std::move(f));
}

}  // namespace pgvigil::analysis
