// SPDX-License-Identifier: Apache-2.0
// The pure half of recovery (issue 6 §4): from the rows of pg_stat_activity, a RecoveryRequest
// and the policy's protect lists → the backends to cancel or terminate, and a guard verdict for
// each one left out and why. No I/O, so every rule is tested with data; the runner
// (recovery_runner.cc) only reads the rows and sends the signals.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "maintenance/policy.h"
#include "maintenance/recovery.h"
#include "model/maintenance.h"

namespace pgvigil::maintenance {

// One row of sql/recovery_activity.sql: a backend of pg_stat_activity with its role's rolsuper.
struct ActivityRow {
  int pid = 0;
  std::string backend_start;  // "2026-11-22T07:03:36.123456Z" (UTC, microseconds)
  std::string datname;
  std::string usename;
  bool rolsuper = false;
  std::string application_name;
  std::string backend_type;  // "client backend", "walsender", "autovacuum worker", …
  std::string state;         // "active", "idle", "idle in transaction", … ; empty: not visible
  std::optional<double> query_age_seconds;  // now − query_start
  std::optional<double> state_age_seconds;  // now − state_change
  std::string query;
  bool is_self = false;  // the runner's own session (pg_backend_pid())
};

// The longest threshold accepted: a month. A larger figure is a typo (milliseconds?), not a
// policy; a threshold of zero or less would select every session.
inline constexpr double kMaxRecoveryThresholdSeconds = 30.0 * 24 * 3600;
// Query texts in the operation are cut to this many bytes (at a UTF-8 character boundary).
inline constexpr std::size_t kRecoveryQueryBytes = 200;

// kInvalidArgument naming the bad field: no threshold at all, a threshold that is not a finite
// number in (0, kMaxRecoveryThresholdSeconds], a confirm entry without a pid or backend_start.
common::Status ValidateRecoveryRequest(const RecoveryRequest& request);

struct RecoverySelection {
  // Most urgent first: cancels before terminates, then the oldest first, then by pid. Entries
  // with an outcome already set ("gone", "changed": a confirmed backend that is no longer the
  // one the dry run showed) have no action and are never signalled.
  std::vector<model::RecoveryBackend> backends;
  // "protected_backend" (warn) for each backend the thresholds matched but a protection kept
  // out, "backend_unchanged" (warn) for each confirmed backend that no longer matches; a single
  // pass verdict of each when nothing was left out.
  std::vector<model::GuardVerdict> guards;
};

// Why `row` must never be signalled, in words ("pgvigil's own session"); nullopt when it may.
// `policy` supplies protected_roles / protected_applications (common::GlobMatch patterns).
std::optional<std::string> ProtectionReason(const ActivityRow& row,
                                            const MaintenancePolicy& policy);

// The request must be valid (ValidateRecoveryRequest). With request.confirm non-empty only
// those pids are considered, and each must still have the confirmed backend_start and still
// meet the thresholds; request.database, when set, limits the selection to that database.
RecoverySelection SelectRecoveryBackends(const std::vector<ActivityRow>& rows,
                                         const RecoveryRequest& request,
                                         const MaintenancePolicy& policy);

}  // namespace pgvigil::maintenance
