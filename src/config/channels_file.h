// SPDX-License-Identifier: Apache-2.0
// Reads the notification channels and routes of the `alerts:` section (only the keys `channels`
// and `routes`; config/alerts_file.h reads the rules beside them) with file:line errors, and
// resolves each channel's secrets from the environment or from files. docs/alerts-channels.md
// has the format:
//
//   alerts:
//     channels:
//       - {name: hook, type: webhook, url: "https://ops.example/hook", hmac_secret_env: HOOK_KEY}
//       - {name: oncall, type: slack, url_env: PGVIGIL_SLACK_URL}
//       - name: mail
//         type: email
//         smtp: {url: "smtp://mail.example:587", from: pgvigil@example.org, to: [dba@example.org],
//                username: pgvigil, password_file: /run/secrets/smtp, starttls: true}
//       - {name: am, type: alertmanager, url: "http://alertmanager:9093"}
//     routes:
//       - match: {severity_min: critical, targets: ["prod-*"], labels: {region: eu}}
//         channels: [oncall, mail]
//
// Secrets: a Slack URL, an HMAC key and an SMTP password are credentials, so they are read only
// through *_env or *_file, never written in the file. A literal `url` is allowed for webhook
// and Alertmanager channels (their URLs are addresses), unless it carries user:password@. No
// error message contains a secret's value.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgvigil::config {

struct SmtpChannelConfig {
  std::string url;  // smtp://host:port or smtps://host:port
  std::string from;
  std::vector<std::string> to;
  std::string username;  // empty: no AUTH
  std::string password;  // resolved from password_env / password_file
  bool starttls = true;  // on smtp://: require STARTTLS
};

struct ChannelConfig {
  std::string name;
  std::string type;         // webhook, slack, email, alertmanager
  std::string url;          // resolved (webhook, slack, alertmanager)
  std::string hmac_secret;  // resolved (webhook); empty: unsigned
  SmtpChannelConfig smtp;   // email
  std::string file;
  int line = 0;
};

struct RouteConfig {
  std::string severity_min = "warning";       // info, warning or critical
  std::vector<std::string> targets;           // globs over the target name; empty: every target
  std::map<std::string, std::string> labels;  // every one must equal the target's label
  std::vector<std::string> channels;          // names of channels
  std::string file;
  int line = 0;
};

struct ChannelsFile {
  std::vector<ChannelConfig> channels;
  std::vector<RouteConfig> routes;
  std::vector<std::string> errors;  // "file:line: reason"
};

// Looks up an environment variable; std::getenv by default, replaceable in tests.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

ChannelsFile ReadChannelsFile(const std::string& path, const EnvLookup& env = nullptr);
ChannelsFile ReadChannelsText(const std::string& text, const std::string& name,
                              const EnvLookup& env = nullptr);

}  // namespace pgvigil::config
