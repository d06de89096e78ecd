// SPDX-License-Identifier: Apache-2.0
#include "cli/serve_command.h"

#include <cstdio>

#include "common/log.h"
#include "config/settings_file.h"
#include "daemon/app.h"
#include "daemon/maintenance_config.h"

namespace pgvigil::cli {

CLI::App* AddServeCommand(CLI::App& app, ServeArgs& args) {
  CLI::App* serve = app.add_subcommand(
      "serve",
      "Run the daemon: watch the configured targets, keep history, serve the API, "
      "dashboard and /metrics");
  serve->add_option("-c,--config", args.config, "the YAML configuration file")->required();
  serve->add_flag("--check-config", args.check_only,
                  "validate the configuration and exit (0 valid, 2 invalid)");
  return serve;
}

int RunServe(const ServeArgs& args) {
  config::SettingsFile file = config::ReadSettingsFile(args.config);
  if (file.errors.empty()) {
    // What config/ keeps as text and the daemon parses (maintenance windows, …).
    for (std::string& e : daemon::MaintenanceConfigErrors(file.settings)) {
      file.errors.push_back(std::move(e));
    }
  }
  if (!file.errors.empty()) {
    for (const std::string& e : file.errors) std::fprintf(stderr, "%s\n", e.c_str());
    std::fprintf(stderr, "pgvigil: %zu error(s) in %s; not starting\n", file.errors.size(),
                 args.config.c_str());
    return 2;
  }
  if (file.settings.targets.empty()) {
    std::fprintf(stderr, "%s: no targets: add at least one under 'targets:'\n",
                 args.config.c_str());
    return 2;
  }
  if (args.check_only) {
    std::printf("%s: valid (%zu target(s))\n", args.config.c_str(), file.settings.targets.size());
    return 0;
  }
  common::LogFormat format = common::LogFormat::kText;  // validated by the reader
  common::ParseLogFormat(file.settings.log_format, &format);
  common::SetLogFormat(format);
  common::LogLevel level;
  if (!args.log_level_given && common::ParseLogLevel(file.settings.log_level, &level)) {
    common::SetLogLevel(level);
  }
  daemon::App app(std::move(file.settings), args.config);
  const common::Status status = app.Run();
  if (!status.ok()) {
    std::fprintf(stderr, "pgvigil: %s\n", status.message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace pgvigil::cli
