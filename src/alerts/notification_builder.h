// SPDX-License-Identifier: Apache-2.0
// Turns one transition the evaluator reported (model::AlertNotification) into the Notification
// the channels send: its kind, a dedup key that is stable for the transition (so a retry or a
// re-send after a restart carries the same one), the alert's figures, the target's labels and
// the dashboard link. Pure.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "model/alert.h"
#include "model/notification.h"

namespace pgvigil::alerts {

// kFired → firing, kEscalated → escalated, kRenotified → renotify, kResolved* → resolved;
// nullopt for kinds that are not notified (acknowledged, silenced, de-escalated).
std::optional<model::NotificationKind> NotificationKindFor(model::AlertEventKind kind);

// `external_url` is the dashboard's base URL ("" leaves the link empty).
std::optional<model::Notification> BuildNotification(
    const model::AlertNotification& transition, const std::map<std::string, std::string>& labels,
    const std::string& external_url);

// The notification of a firing alert as it is now (the Alertmanager re-send).
model::Notification FiringNotification(const model::Alert& alert,
                                       const std::map<std::string, std::string>& labels,
                                       const std::string& external_url);

}  // namespace pgvigil::alerts
