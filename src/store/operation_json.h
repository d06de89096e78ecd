// SPDX-License-Identifier: Apache-2.0
// JSON of a maintenance or recovery operation (model::MaintenanceOperation): the API's OP object
// (docs/api.md, "Maintenance"), which is also the data of the SSE "operation" event, and the
// JSON columns of the audit table (options, guards, before/after, progress, backends). One
// place, so that what the store keeps and what the API shows cannot drift apart.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "model/maintenance.h"

namespace pgvigil::store {

// {"full":false,"freeze":false,"analyze":false,"verbose":false,"index_cleanup":"auto",
//  "concurrently":true}
nlohmann::json OptionsToJson(const model::MaintenanceOptions& options);
common::Result<model::MaintenanceOptions> OptionsFromJson(const nlohmann::json& j);

// [{"guard":…,"outcome":"pass|warn|refuse","detail":…}]
nlohmann::json GuardsToJson(const std::vector<model::GuardVerdict>& guards);
common::Result<std::vector<model::GuardVerdict>> GuardsFromJson(const nlohmann::json& j);

// {"size_bytes":N|null,"dead_tuples":N|null,"live_tuples":N|null}
nlohmann::json FiguresToJson(const model::RelationFigures& figures);
common::Result<model::RelationFigures> FiguresFromJson(const nlohmann::json& j);

// {"phase":…,"percent":N|null} or null
nlohmann::json ProgressToJson(const std::optional<model::OperationProgress>& progress);
common::Result<std::optional<model::OperationProgress>> ProgressFromJson(const nlohmann::json& j);

// [{"pid":…,"backend_start":…,"datname":…,"usename":…,"application_name":…,"state":…,
//   "age_seconds":…,"query":…,"action":…,"outcome":…}]
nlohmann::json BackendsToJson(const std::vector<model::RecoveryBackend>& backends);
common::Result<std::vector<model::RecoveryBackend>> BackendsFromJson(const nlohmann::json& j);

// [["4242","2026-11-22T07:03:36.123456Z"], …]: one list of bind parameters per line of sql.
nlohmann::json SqlParamsToJson(const std::vector<std::vector<std::string>>& params);
common::Result<std::vector<std::vector<std::string>>> SqlParamsFromJson(const nlohmann::json& j);

// The API's OP: every field above plus id, target, database, operation, object, sql, state,
// initiator, initiator_role, forced, reason, created_at, started_at, finished_at, duration_s
// (null until both ends are known), lock_attempts, sqlstate, message.
nlohmann::json OperationToJson(const model::MaintenanceOperation& op);
// OperationToJson(op) as text (invalid UTF-8 in names replaced, never an exception).
std::string OperationJsonText(const model::MaintenanceOperation& op);

}  // namespace pgvigil::store
