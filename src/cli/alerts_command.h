// SPDX-License-Identifier: Apache-2.0
// `pgvigil alerts test CHANNEL -c FILE`: sends a test notification (kind "test") through one
// configured channel and prints the outcome: exit 0 delivered, 1 failed (with the reason, no
// secrets), 2 bad usage or a configuration with errors or without that channel.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace pgvigil::cli {

struct AlertsArgs {
  std::string config;
  std::string channel;
};

// Adds `alerts` with its `test` subcommand; returns `alerts`.
CLI::App* AddAlertsCommand(CLI::App& app, AlertsArgs& args);
int RunAlerts(const AlertsArgs& args);

}  // namespace pgvigil::cli
