// SPDX-License-Identifier: Apache-2.0
// Maintenance and recovery operations (issue 6, docs/maintenance.md): what a caller asks for, the
// safety guards' verdicts, and the audited record of one operation from intent to outcome. Plain
// data shared by maintenance/ (planning, guards, execution), store/ (the audit trail), http/
// (the API and the SSE "operation" event), daemon/ (the service and the automatic policy) and
// cli/ (`pgvigil maintain`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"

namespace pgvigil::model {

enum class OperationKind {
  kVacuum,        // VACUUM (options) table
  kAnalyze,       // ANALYZE (options) table
  kReindexIndex,  // REINDEX [(VERBOSE)] INDEX [CONCURRENTLY] index
  kReindexTable,  // REINDEX [(VERBOSE)] TABLE [CONCURRENTLY] table
  kRecovery,      // pg_cancel_backend / pg_terminate_backend on a list of backends
};

inline constexpr OperationKind kAllOperationKinds[] = {
    OperationKind::kVacuum, OperationKind::kAnalyze, OperationKind::kReindexIndex,
    OperationKind::kReindexTable, OperationKind::kRecovery};

inline std::string_view OperationKindName(OperationKind kind) {
  switch (kind) {
    case OperationKind::kVacuum: return "vacuum";
    case OperationKind::kAnalyze: return "analyze";
    case OperationKind::kReindexIndex: return "reindex_index";
    case OperationKind::kReindexTable: return "reindex_table";
    case OperationKind::kRecovery: return "recovery";
  }
  return "vacuum";
}

inline std::optional<OperationKind> ParseOperationKind(std::string_view text) {
  for (OperationKind k : kAllOperationKinds) {
    if (OperationKindName(k) == text) return k;
  }
  return std::nullopt;
}

// VACUUM's INDEX_CLEANUP: kAuto emits nothing (the server's default).
enum class IndexCleanup { kAuto, kOn, kOff };

// Options from a fixed set: nothing here is SQL text. Which apply depends on the kind.
struct MaintenanceOptions {
  bool full = false;     // VACUUM FULL: blocking (ACCESS EXCLUSIVE for the whole run)
  bool freeze = false;   // VACUUM FREEZE
  bool analyze = false;  // VACUUM ANALYZE
  bool verbose = false;  // VACUUM / ANALYZE / REINDEX VERBOSE
  IndexCleanup index_cleanup = IndexCleanup::kAuto;
  // REINDEX CONCURRENTLY (12+). Off is blocking (SHARE lock on the table, writes wait).
  bool concurrently = true;
};

// What a caller asks for: one object, or every object a finding selects.
struct MaintenanceRequest {
  std::string target;    // the daemon's target name; the CLI leaves it empty
  std::string database;  // empty: the target's main database
  OperationKind kind = OperationKind::kVacuum;
  // Exact names as stored in pg_class / pg_namespace, NOT SQL: `MiXeD` means the table whose
  // name is MiXeD. Empty schema: the unique relation of that name in any schema (ambiguous →
  // refused, the message lists the schemas).
  std::string schema;
  std::string object;  // table (vacuum, analyze, reindex_table) or index (reindex_index)
  // Instead of `object`: every object that this check id's findings name in the target's latest
  // analysis, e.g. "table.vacuum_overdue". Expanded by the daemon into one operation per object.
  std::string finding;
  MaintenanceOptions options;
  bool dry_run = false;
  bool force = false;   // run a blocking operation outside the maintenance window (admin only)
  std::string reason;   // required with force; audited
  std::string initiator;       // the API token's name, "cli" or "policy"
  std::string initiator_role;  // "operator" | "admin" | "cli" | "policy"
};

// A relation resolved on the server. Every name here came from pg_class / pg_namespace by oid.
struct ResolvedRelation {
  std::uint32_t oid = 0;        // the relation acted on (a table, or an index for REINDEX INDEX)
  std::uint32_t table_oid = 0;  // the table (== oid for a table); guards look at this one
  std::string schema;
  std::string name;
  std::string table_schema;
  std::string table_name;
  char relkind = 'r';    // 'r' table, 'm' matview, 'p' partitioned table, 'i' index, 'I' partitioned index
  std::string owner;     // the table owner's role name
};

// Figures read before and after an operation, to show what it achieved.
struct RelationFigures {
  std::optional<std::int64_t> size_bytes;   // pg_total_relation_size of the table (or index)
  std::optional<std::int64_t> dead_tuples;  // pg_stat_user_tables.n_dead_tup
  std::optional<std::int64_t> live_tuples;  // pg_stat_user_tables.n_live_tup
};

enum class GuardOutcome { kPass, kWarn, kRefuse };
inline std::string_view GuardOutcomeName(GuardOutcome outcome) {
  switch (outcome) {
    case GuardOutcome::kPass: return "pass";
    case GuardOutcome::kWarn: return "warn";
    case GuardOutcome::kRefuse: return "refuse";
  }
  return "refuse";
}

// One safety guard's verdict, reported by name. Guard names (stable, documented):
// "valid_name", "object_exists", "not_standby", "no_conflict_pgvigil", "no_conflict_server"
// (pg_stat_progress_* / autovacuum), "maintenance_window", "invalid_index", "superuser_role",
// "trusted_owner", "privilege", "protected_backend", "backend_unchanged".
struct GuardVerdict {
  std::string guard;
  GuardOutcome outcome = GuardOutcome::kPass;
  std::string detail;  // words for a human: why it passed, warned or refused
};

enum class OperationState {
  kPlanned,    // a dry run: the SQL and the verdicts, nothing executed
  kRefused,    // a guard refused; nothing executed
  kQueued,     // intent recorded, waiting for a slot
  kRunning,    // intent recorded, executing
  kCompleted,
  kFailed,     // the server answered an error (sqlstate, message)
  kCancelled,  // cancelled on request while queued or running
  kUnknown,    // the daemon stopped between intent and outcome; reconciled at start-up
};
inline constexpr OperationState kAllOperationStates[] = {
    OperationState::kPlanned, OperationState::kRefused,   OperationState::kQueued,
    OperationState::kRunning, OperationState::kCompleted, OperationState::kFailed,
    OperationState::kCancelled, OperationState::kUnknown};

inline std::string_view OperationStateName(OperationState state) {
  switch (state) {
    case OperationState::kPlanned: return "planned";
    case OperationState::kRefused: return "refused";
    case OperationState::kQueued: return "queued";
    case OperationState::kRunning: return "running";
    case OperationState::kCompleted: return "completed";
    case OperationState::kFailed: return "failed";
    case OperationState::kCancelled: return "cancelled";
    case OperationState::kUnknown: return "unknown";
  }
  return "unknown";
}

inline std::optional<OperationState> ParseOperationState(std::string_view text) {
  for (OperationState s : kAllOperationStates) {
    if (OperationStateName(s) == text) return s;
  }
  return std::nullopt;
}
inline bool IsFinal(OperationState s) {
  return s != OperationState::kQueued && s != OperationState::kRunning;
}

// Progress of a running operation, from pg_stat_progress_vacuum / _analyze / _create_index /
// _cluster (VACUUM FULL).
struct OperationProgress {
  std::string phase;              // the view's phase column, as the server names it
  std::optional<double> percent;  // of the phase's blocks / tuples, when the view has totals
};

// One backend a recovery action selects, as the dry run saw it. backend_start pins the process:
// executing acts on a pid only if its backend_start is still this value (no PID reuse).
struct RecoveryBackend {
  int pid = 0;
  std::string backend_start;  // as the server printed it (timestamptz text, microseconds)
  std::string datname;
  std::string usename;
  std::string application_name;
  std::string state;  // "active", "idle", "idle in transaction", …
  double age_seconds = 0;  // of the statement (cancel) or of the state (terminate)
  std::string query;       // cut to 200 characters
  std::string action;      // "cancel" | "terminate"
  std::string outcome;     // after execution: "cancelled", "terminated", "gone", "changed", "failed: …"
};

// The audited record of one operation. Written as an intent (kQueued / kRunning) before any SQL
// runs and updated with the outcome after; a dry run or a refusal is returned but also kept.
struct MaintenanceOperation {
  std::int64_t id = 0;  // assigned by the store
  std::string target;
  std::string database;
  OperationKind kind = OperationKind::kVacuum;
  std::string object;  // schema-qualified display name of the relation; empty for recovery
  // The relation Plan resolved on the server (unset for recovery or when resolution failed):
  // Execute acts on exactly this oid, after checking it still bears the planned name.
  std::optional<ResolvedRelation> relation;
  MaintenanceOptions options;
  std::string sql;     // the exact statement(s) run or that would run, one per line
  // The bind parameters ($1, $2, …, in text form as sent) of each line of `sql`, in order: one
  // list per line, or empty when no statement takes any (maintenance names its relation in the
  // text, quoted; recovery sends pid and backend_start this way).
  std::vector<std::vector<std::string>> sql_params;
  std::vector<GuardVerdict> guards;
  OperationState state = OperationState::kPlanned;
  std::string initiator;
  std::string initiator_role;
  bool forced = false;
  std::string reason;
  common::Timestamp created_at{};
  std::optional<common::Timestamp> started_at;
  std::optional<common::Timestamp> finished_at;
  RelationFigures before;
  RelationFigures after;
  int lock_attempts = 0;  // how many times the statement was tried (lock_timeout retries)
  std::string sqlstate;   // on failure
  std::string message;    // on failure, refusal, cancel or unknown: words for a human
  std::optional<OperationProgress> progress;  // while running
  std::vector<RecoveryBackend> backends;      // recovery only
};

}  // namespace pgvigil::model
