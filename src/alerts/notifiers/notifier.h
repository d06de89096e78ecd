// SPDX-License-Identifier: Apache-2.0
// A Notifier delivers Notifications to one configured channel (a webhook, a Slack channel, a
// mailbox, an Alertmanager). Send blocks for at most the channel's timeouts (connect 5 s, total
// 10 s) and reports failure as a Status whose message never contains the channel's secrets
// (URLs with tokens, passwords). Notifiers hold only immutable configuration after
// construction, so Send may be called from several threads at once.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "model/notification.h"

namespace pgvigil::alerts {

class Notifier {
 public:
  virtual ~Notifier() = default;
  // The channel's configured name ("oncall-slack").
  virtual const std::string& name() const = 0;
  // "webhook", "slack", "email", "alertmanager".
  virtual std::string_view kind() const = 0;
  virtual common::Status Send(const model::Notification& notification) = 0;
};

// "CRITICAL", "WARNING", "INFO", "OK".
std::string_view SeverityLabel(model::Severity severity);
// "locks.blocking on main (pid 4242): 42.5 seconds", the one-line summary every channel uses.
std::string Summary(const model::Notification& notification);
// "42.5 seconds", "" when there is no value.
std::string FormatValue(const model::Notification& notification);

}  // namespace pgvigil::alerts
