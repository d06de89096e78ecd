// SPDX-License-Identifier: Apache-2.0
// `pgvigil maintain vacuum|analyze|reindex --dsn DSN --table T | --index I [options]`: one
// guarded maintenance operation (docs/maintenance.md), printed as the SQL, the guards' verdicts
// and the outcome. Exit 0 done (or planned, with --dry-run), 1 refused by a guard, 2 failed or
// cancelled (and bad usage).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace pgvigil::cli {

struct MaintainArgs {
  std::string operation;  // vacuum | analyze | reindex
  std::string dsn;
  std::string database;
  std::string schema;
  std::string table;
  std::string index;
  bool full = false;
  bool freeze = false;
  bool analyze = false;
  bool verbose = false;
  std::string index_cleanup = "auto";
  bool no_concurrently = false;
  bool force = false;
  std::string reason;
  std::vector<std::string> windows;
  int lock_timeout_ms = 500;
  int lock_attempts = 5;
  bool dry_run = false;
  std::string format = "text";
};

CLI::App* AddMaintainCommand(CLI::App& app, MaintainArgs& args);
int RunMaintain(const MaintainArgs& args);

}  // namespace pgvigil::cli
