// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/target_latency_check.h"

#include <fmt/format.h>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {

void TargetLatencyCheck::Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  const double rtt = s.server.round_trip_seconds;
  if (rtt <= 0) return;  // not measured (a snapshot read back from elsewhere)
  const auto verdict = input.thresholds.Classify("target.latency", rtt, s.target, "server");
  if (verdict.severity == model::Severity::kOk) return;
  model::Finding f;
  f.id = "target.latency";
  f.severity = verdict.severity;
  f.object = "server";
  f.value = rtt;
  f.threshold = verdict.threshold;
  f.unit = "seconds";
  f.message = fmt::format("a trivial query took {} to answer (threshold {})", FormatDuration(rtt),
                          FormatDuration(*verdict.threshold));
  f.evidence = {fmt::format("session set-up query round trip: {}", FormatDuration(rtt)),
                fmt::format("connect (TCP, TLS, authentication): {}",
                            FormatDuration(s.server.connect_seconds))};
  if (s.duration_seconds > 0) {
    f.evidence.push_back(
        fmt::format("whole collection took {}", FormatDuration(s.duration_seconds)));
  }
  f.recommendation = model::Recommendation{
      "",
      "The query does no work on the server, so the time is the network path or a server that "
      "is short of CPU: compare with a ping from the same host, look at the server's load, and "
      "run pgvigil close to the database (same region). Slow round trips also slow every "
      "application query."};
  out.push_back(std::move(f));
}

}  // namespace pgvigil::analysis
