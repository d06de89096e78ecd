// SPDX-License-Identifier: Apache-2.0
// `pgvigil serve -c FILE`: reads the configuration (every error with file and line, exit 2),
// then runs the daemon until SIGTERM / SIGINT (exit 0) or a start-up failure (exit 1).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace pgvigil::cli {

struct ServeArgs {
  std::string config;
  bool check_only = false;       // --check-config: validate and exit
  bool log_level_given = false;  // --log-level on the command line beats log.level in the file
};

CLI::App* AddServeCommand(CLI::App& app, ServeArgs& args);
int RunServe(const ServeArgs& args);

}  // namespace pgvigil::cli
