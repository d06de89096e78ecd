// SPDX-License-Identifier: Apache-2.0
#include "cli/maintain_command.h"

#include <csignal>
#include <cstdio>
#include <iostream>

#include "common/units.h"
#include "daemon/maintain_once.h"
#include "store/operation_json.h"

namespace pgvigil::cli {
namespace {

constexpr int kExitDone = 0;
constexpr int kExitRefused = 1;
constexpr int kExitFailed = 2;

// Ctrl-C cancels the running statement on the server (pg_cancel_backend) instead of leaving
// it running after pgvigil is gone. An atomic store is async-signal-safe.
maintenance::CancelFlag g_cancel;
extern "C" void OnInterrupt(int) { g_cancel.Request(); }

std::string Figure(const std::optional<std::int64_t>& v) {
  return v.has_value() ? std::to_string(*v) : "-";
}

void PrintText(const model::MaintenanceOperation& op) {
  std::printf("operation: %s %s\n", std::string(model::OperationKindName(op.kind)).c_str(),
              op.object.c_str());
  if (!op.sql.empty()) std::printf("sql: %s\n", op.sql.c_str());
  std::printf("guards:\n");
  for (const model::GuardVerdict& g : op.guards) {
    std::printf("  %-6s %s: %s\n", std::string(model::GuardOutcomeName(g.outcome)).c_str(),
                g.guard.c_str(), g.detail.c_str());
  }
  std::printf("state: %s\n", std::string(model::OperationStateName(op.state)).c_str());
  if (op.lock_attempts > 0) std::printf("lock attempts: %d\n", op.lock_attempts);
  if (op.started_at.has_value() && op.finished_at.has_value()) {
    std::printf("duration: %.3f s\n",
                std::chrono::duration<double>(*op.finished_at - *op.started_at).count());
  }
  if (op.before.size_bytes.has_value()) {
    std::printf("before: size_bytes %s, dead_tuples %s, live_tuples %s\n",
                Figure(op.before.size_bytes).c_str(), Figure(op.before.dead_tuples).c_str(),
                Figure(op.before.live_tuples).c_str());
  }
  if (op.after.size_bytes.has_value()) {
    std::printf("after: size_bytes %s, dead_tuples %s, live_tuples %s\n",
                Figure(op.after.size_bytes).c_str(), Figure(op.after.dead_tuples).c_str(),
                Figure(op.after.live_tuples).c_str());
  }
  if (!op.sqlstate.empty()) std::printf("sqlstate: %s\n", op.sqlstate.c_str());
  if (!op.message.empty()) std::printf("message: %s\n", op.message.c_str());
}

// The request, or a usage error in words.
common::Result<model::MaintenanceRequest> BuildRequest(const MaintainArgs& args) {
  model::MaintenanceRequest r;
  const bool has_table = !args.table.empty();
  const bool has_index = !args.index.empty();
  if (has_table == has_index) {
    return common::InvalidArgumentError("give exactly one of --table and --index");
  }
  if (args.operation == "reindex") {
    r.kind = has_index ? model::OperationKind::kReindexIndex : model::OperationKind::kReindexTable;
  } else if (has_index) {
    return common::InvalidArgumentError(args.operation + " acts on a table: use --table");
  } else {
    r.kind =
        args.operation == "vacuum" ? model::OperationKind::kVacuum : model::OperationKind::kAnalyze;
  }
  r.schema = args.schema;
  r.object = has_table ? args.table : args.index;
  r.options.full = args.full;
  r.options.freeze = args.freeze;
  r.options.analyze = args.analyze;
  r.options.verbose = args.verbose;
  r.options.index_cleanup = args.index_cleanup == "on"    ? model::IndexCleanup::kOn
                            : args.index_cleanup == "off" ? model::IndexCleanup::kOff
                                                          : model::IndexCleanup::kAuto;
  r.options.concurrently = !args.no_concurrently;
  r.force = args.force;
  r.reason = args.reason;
  r.dry_run = args.dry_run;
  r.initiator = "cli";
  r.initiator_role = "cli";
  return r;
}

}  // namespace

CLI::App* AddMaintainCommand(CLI::App& app, MaintainArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "maintain",
      "Run one guarded VACUUM, ANALYZE or REINDEX (docs/maintenance.md); exit 0 done or "
      "planned, 1 refused by a guard, 2 failed");
  cmd->add_option("operation", args.operation, "vacuum, analyze or reindex")
      ->required()
      ->check(CLI::IsMember({"vacuum", "analyze", "reindex"}));
  cmd->add_option("--dsn", args.dsn, "connection string of the maintenance role")->required();
  cmd->add_option("--database", args.database, "database (default: the DSN's)");
  cmd->add_option("--schema", args.schema,
                  "exact schema name (default: the one schema holding the name)");
  cmd->add_option("--table", args.table, "exact table name, as stored (not SQL)");
  cmd->add_option("--index", args.index, "exact index name (reindex only)");
  cmd->add_flag("--full", args.full, "VACUUM FULL (blocking: only inside a window or forced)");
  cmd->add_flag("--freeze", args.freeze, "VACUUM FREEZE");
  cmd->add_flag("--analyze", args.analyze, "VACUUM ANALYZE");
  cmd->add_flag("--verbose", args.verbose, "VERBOSE");
  cmd->add_option("--index-cleanup", args.index_cleanup, "VACUUM INDEX_CLEANUP")
      ->check(CLI::IsMember({"auto", "on", "off"}));
  cmd->add_flag("--no-concurrently", args.no_concurrently,
                "REINDEX without CONCURRENTLY (blocking: only inside a window or forced)");
  cmd->add_flag("--force", args.force, "run a blocking operation outside the window");
  cmd->add_option("--reason", args.reason, "why (required with --force)");
  cmd->add_option("--window", args.windows,
                  "maintenance window, e.g. \"daily 01:00-05:00\" (UTC; repeatable)");
  cmd->add_option("--lock-timeout", args.lock_timeout_ms,
                  "milliseconds each try may wait for its lock")
      ->check(CLI::Range(1, 600000));
  cmd->add_option("--lock-attempts", args.lock_attempts, "tries before giving up")
      ->check(CLI::Range(1, 100));
  cmd->add_flag("--dry-run", args.dry_run, "show the SQL and the guards; execute nothing");
  cmd->add_option("--format", args.format, "text or json")->check(CLI::IsMember({"text", "json"}));
  return cmd;
}

int RunMaintain(const MaintainArgs& args) {
  auto request = BuildRequest(args);
  if (!request.has_value()) {
    std::fprintf(stderr, "pgvigil maintain: %s\n", request.error().message().c_str());
    return kExitFailed;
  }
  daemon::MaintainOnceOptions options;
  options.dsn = args.dsn;
  options.database = args.database;
  options.request = *request;
  options.policy.lock_timeout = std::chrono::milliseconds(args.lock_timeout_ms);
  options.policy.lock_attempts = args.lock_attempts;
  for (const std::string& text : args.windows) {
    auto window = maintenance::ParseWindow(text);
    if (!window.has_value()) {
      std::fprintf(stderr, "pgvigil maintain: %s\n", window.error().message().c_str());
      return kExitFailed;
    }
    options.policy.windows.push_back(*window);
  }
  options.on_progress = [](const model::MaintenanceOperation& op) {
    if (!op.progress.has_value()) return;
    std::fprintf(stderr, "progress: %s", op.progress->phase.c_str());
    if (op.progress->percent.has_value()) std::fprintf(stderr, " %.1f%%", *op.progress->percent);
    std::fprintf(stderr, "\n");
  };
  options.cancel = &g_cancel;
  std::signal(SIGINT, OnInterrupt);
  std::signal(SIGTERM, OnInterrupt);
  auto op = daemon::MaintainOnce(options);
  if (!op.has_value()) {
    std::fprintf(stderr, "pgvigil maintain: %s\n", op.error().message().c_str());
    return kExitFailed;
  }
  if (args.format == "json") {
    std::cout << store::OperationToJson(*op).dump(2, ' ', false,
                                                  nlohmann::json::error_handler_t::replace)
              << "\n";
  } else {
    PrintText(*op);
  }
  switch (op->state) {
    case model::OperationState::kPlanned:
    case model::OperationState::kCompleted:
      return kExitDone;
    case model::OperationState::kRefused:
      return kExitRefused;
    default:
      return kExitFailed;
  }
}

}  // namespace pgvigil::cli
