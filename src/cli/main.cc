// SPDX-License-Identifier: Apache-2.0
// pgvigil's command line. `maintain`: maintain_command.h. `collect`: 0 done; 1 nothing could be collected (cannot connect,
// or every collector failed); 2 bad usage. `check`: Nagios codes (check_command.h). A last-resort
// catch turns any escaped exception into a message and exit code 3 (it is a bug: STYLE.md §5).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <iostream>

#include "cli/alerts_command.h"
#include "cli/check_command.h"
#include "cli/collect_command.h"
#include "cli/maintain_command.h"
#include "cli/serve_command.h"
#include "common/log.h"
#include "config/settings_table.h"
#include "daemon/thresholds_config.h"

int main(int argc, char** argv) {
  try {
    CLI::App app{"pgvigil: PostgreSQL health monitoring and maintenance"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string(PGVIGIL_VERSION));
    std::string log_level = "warn";
    app.add_option("--log-level", log_level, "debug, info, warn, error or off")
        ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}));

    pgvigil::cli::CollectArgs collect_args;
    CLI::App* collect = pgvigil::cli::AddCollectCommand(app, collect_args);
    pgvigil::cli::CheckArgs check_args;
    CLI::App* check = pgvigil::cli::AddCheckCommand(app, check_args);
    pgvigil::cli::ServeArgs serve_args;
    CLI::App* serve = pgvigil::cli::AddServeCommand(app, serve_args);
    pgvigil::cli::MaintainArgs maintain_args;
    CLI::App* maintain = pgvigil::cli::AddMaintainCommand(app, maintain_args);
    pgvigil::cli::AlertsArgs alerts_args;
    CLI::App* alerts = pgvigil::cli::AddAlertsCommand(app, alerts_args);
    CLI::App* settings = app.add_subcommand(
        "settings", "Print every setting of the daemon's file with its default (Markdown)");
    CLI::App* thresholds = app.add_subcommand(
        "thresholds", "Print every threshold and check parameter with its default (Markdown)");

    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      const int rc = app.exit(e);
      // `check` follows Nagios: its usage errors are UNKNOWN (3). Elsewhere bad usage is 2.
      const bool is_check = argc > 1 && std::string(argv[1]) == "check";
      return rc == 0 ? 0 : (is_check ? 3 : 2);
    }
    pgvigil::common::LogLevel level;
    if (pgvigil::common::ParseLogLevel(log_level, &level)) pgvigil::common::SetLogLevel(level);

    if (collect->parsed()) return pgvigil::cli::RunCollect(collect_args);
    if (check->parsed()) return pgvigil::cli::RunCheck(check_args);
    if (serve->parsed()) {
      serve_args.log_level_given = app.get_option("--log-level")->count() > 0;
      return pgvigil::cli::RunServe(serve_args);
    }
    if (alerts->parsed()) return pgvigil::cli::RunAlerts(alerts_args);
    if (maintain->parsed()) return pgvigil::cli::RunMaintain(maintain_args);
    if (settings->parsed()) {
      std::fputs(pgvigil::config::SettingsMarkdown().c_str(), stdout);
      return 0;
    }
    if (thresholds->parsed()) {
      std::fputs(pgvigil::daemon::DefaultThresholdsMarkdown().c_str(), stdout);
      return 0;
    }
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pgvigil: internal error: %s\n", e.what());
    return 3;
  }
}
