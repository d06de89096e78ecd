// SPDX-License-Identifier: Apache-2.0
// Strict parsing of the bodies of the maintenance and recovery routes (docs/api.md,
// "Maintenance"): POST /api/v1/maintenance, POST /api/v1/recovery and the seed-era aliases
// /api/database/maintenance and /api/database/optimize. Unknown fields, option words outside
// the fixed set, wrong types and numbers out of range are errors with the reason in words, so
// that nothing runs on a malformed request. Names are exact relation names, not SQL: any JSON
// string of 1–63 bytes without NUL is accepted (the engine resolves it on the server and
// quotes what the server returns). Who may do what (roles) is decided by the routes. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/maintenance.h"

namespace pgvigil::http {

// A recovery request as the API gives it; the daemon turns it into maintenance::RecoveryRequest
// (http/ does not include maintenance/).
struct RecoveryApiRequest {
  std::string target;
  std::string database;
  std::optional<double> cancel_running_longer_than_s;
  std::optional<double> terminate_idle_longer_than_s;
  std::optional<double> terminate_idle_in_transaction_longer_than_s;
  bool dry_run = true;
  std::vector<model::RecoveryBackend> confirm;  // pid + backend_start
  std::string initiator;
  std::string initiator_role;
};

// Longest name PostgreSQL keeps (NAMEDATALEN - 1 bytes).
inline constexpr std::size_t kMaxNameBytes = 63;
// Longest `reason` accepted (it is audited, not executed).
inline constexpr std::size_t kMaxReasonBytes = 1000;
// Recovery thresholds: 0 … 30 days.
inline constexpr double kMaxRecoverySeconds = 30.0 * 86400;

// kInvalidArgument with the reason for every malformed body.
common::Result<model::MaintenanceRequest> ParseMaintenanceBody(std::string_view body);
// {"operationType":"vacuum|analyze|reindex","tableName"|"indexName","schemaName","concurrent",
//  "verbose","analyze","full","dryRun","force","reason","target","database"}
common::Result<model::MaintenanceRequest> ParseSeedMaintenanceBody(std::string_view body);
// {"action":"analyze_table|reindex_table|vacuum_analyze|update_statistics","table_name",
//  "schema_name","dry_run","target","database"}
common::Result<model::MaintenanceRequest> ParseOptimizeBody(std::string_view body);
common::Result<RecoveryApiRequest> ParseRecoveryBody(std::string_view body);

// True for operations that hold a lock blocking the table's readers or writers for their whole
// run: VACUUM FULL, REINDEX without CONCURRENTLY.
bool IsBlocking(const model::MaintenanceRequest& request);
// "table.vacuum_overdue": lower-case words of [a-z0-9_] joined by dots, at least two.
bool LooksLikeCheckId(std::string_view text);

}  // namespace pgvigil::http
