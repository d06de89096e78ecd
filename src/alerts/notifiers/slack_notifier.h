// SPDX-License-Identifier: Apache-2.0
// A Slack incoming webhook. The message is Block Kit: a header with severity and check, fields
// for target, object and value, the finding's message, the recommendation (its SQL as code),
// and a link to the alert. A resolved alert says RESOLVED. `text` carries the same summary for
// notifications and clients without blocks. The webhook URL is the credential: never logged.
#pragma once

#include <string>

#include "alerts/notifiers/curl_client.h"
#include "alerts/notifiers/notifier.h"

namespace pgvigil::alerts {

struct SlackOptions {
  std::string name;
  std::string url;  // https://hooks.slack.com/services/…: a secret
  CurlTimeouts timeouts;
};

// The JSON body sent to Slack.
std::string SlackPayload(const model::Notification& notification);

class SlackNotifier final : public Notifier {
 public:
  explicit SlackNotifier(SlackOptions options) : options_(std::move(options)) {}
  const std::string& name() const override { return options_.name; }
  std::string_view kind() const override { return "slack"; }
  common::Status Send(const model::Notification& notification) override;

 private:
  SlackOptions options_;
};

}  // namespace pgvigil::alerts
