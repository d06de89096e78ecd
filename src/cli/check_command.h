// SPDX-License-Identifier: Apache-2.0
// `pgvigil check [DSN]`: two samples, analysis, a report for a person or a machine, and a
// Nagios exit code: 0 OK (healthy), 1 WARNING (degraded), 2 CRITICAL (unhealthy), 3 UNKNOWN
// (could not collect, or bad usage of the check itself).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace pgvigil::cli {

struct CheckArgs {
  std::string dsn;
  std::string pgbouncer_dsn;
  std::string config;
  std::string format = "text";
  std::string interval = "5s";
  std::string target;
  bool colour = false;
  bool no_colour = false;
  bool exact = false;
  bool verify_indexes = false;
  bool explain = false;
};

CLI::App* AddCheckCommand(CLI::App& app, CheckArgs& args);
int RunCheck(const CheckArgs& args);

}  // namespace pgvigil::cli
