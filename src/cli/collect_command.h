// SPDX-License-Identifier: Apache-2.0
// `pgvigil collect [DSN]`: one snapshot as JSON on stdout; per-collector problems on stderr.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace pgvigil::cli {

struct CollectArgs {
  std::string dsn;
  std::string pgbouncer_dsn;
  std::string tier = "all";
  std::string target;
  bool compact = false;
  int statement_timeout_ms = 5000;
  int connect_timeout_ms = 5000;
  int statement_text_limit = 50;
};

CLI::App* AddCollectCommand(CLI::App& app, CollectArgs& args);
int RunCollect(const CollectArgs& args);

}  // namespace pgvigil::cli
