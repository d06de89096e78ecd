// SPDX-License-Identifier: Apache-2.0
// The JSON the API and the SSE stream make of a TargetState: a target's summary (status, score,
// reachability, tiers), the health views by type, and the compact per-sample event. Built from
// the cache only. Field names are the model's; times are ISO-8601 UTC. Thread-safe (pure).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "model/target_state.h"

namespace pgvigil::http {

// The views of GET /api/v1/health?type=…
enum class HealthView {
  kFull,
  kOverview,
  kTables,
  kIndexes,
  kQueries,
  kConnections,
  kLocks,
  kReplication,
  kStorage
};
std::optional<HealthView> ParseHealthView(std::string_view text);
inline constexpr std::string_view kHealthViewNames =
    "full, overview, tables, indexes, queries, connections, locks, replication, storage";

// "healthy" | "degraded" | "unhealthy" | "unreachable" | "unknown" (not collected yet).
std::string_view TargetStatusName(const model::TargetState& state);

nlohmann::json TargetSummaryJson(const model::TargetState& state);
nlohmann::json HealthJson(const model::TargetState& state, HealthView view);

// The SSE payloads: a status change, and one fast-tier sample (connections by state, lock
// waits, the oldest transaction, replication lag, score).
std::string StatusEventJson(const model::TargetState& state);
std::string SampleEventJson(const model::TargetState& state);

}  // namespace pgvigil::http
