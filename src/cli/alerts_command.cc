// SPDX-License-Identifier: Apache-2.0
#include "cli/alerts_command.h"

#include <cstdio>

#include "common/clock.h"
#include "config/settings_file.h"
#include "daemon/alert_engine.h"

namespace pgvigil::cli {

CLI::App* AddAlertsCommand(CLI::App& app, AlertsArgs& args) {
  CLI::App* alerts = app.add_subcommand("alerts", "Work with the alert channels");
  alerts->require_subcommand(1);
  CLI::App* test = alerts->add_subcommand(
      "test",
      "Send a test notification through one configured channel (exit 0 delivered, "
      "1 failed, 2 bad usage or configuration)");
  test->add_option("channel", args.channel, "the channel's name (alerts.channels[].name)")
      ->required();
  test->add_option("-c,--config", args.config, "the YAML configuration file")->required();
  return alerts;
}

int RunAlerts(const AlertsArgs& args) {
  config::SettingsFile file = config::ReadSettingsFile(args.config);
  if (!file.errors.empty()) {
    for (const std::string& e : file.errors) std::fprintf(stderr, "%s\n", e.c_str());
    std::fprintf(stderr, "pgvigil: %zu error(s) in %s\n", file.errors.size(), args.config.c_str());
    return 2;
  }
  const config::ChannelConfig* channel = nullptr;
  for (const config::ChannelConfig& c : file.settings.channels.channels) {
    if (c.name == args.channel) channel = &c;
  }
  if (channel == nullptr) {
    std::string names;
    for (const config::ChannelConfig& c : file.settings.channels.channels) {
      names += names.empty() ? c.name : ", " + c.name;
    }
    std::fprintf(stderr, "%s: no channel named '%s' (channels: %s)\n", args.config.c_str(),
                 args.channel.c_str(), names.empty() ? "none" : names.c_str());
    return 2;
  }
  const std::string what = daemon::DescribeChannel(*channel);
  const common::Status status =
      daemon::SendTestToChannel(*channel, common::SystemClock::Instance());
  if (!status.ok()) {
    std::printf("%s: failed: %s\n", what.c_str(), status.message().c_str());
    return 1;
  }
  std::printf("%s: delivered\n", what.c_str());
  return 0;
}

}  // namespace pgvigil::cli
