// SPDX-License-Identifier: Apache-2.0
#include "alerts/notification_builder.h"

#include <chrono>

namespace pgvigil::alerts {
namespace {

model::Notification FromAlert(const model::Alert& a,
                              const std::map<std::string, std::string>& labels,
                              const std::string& external_url) {
  model::Notification n;
  n.alert_id = a.id;
  n.severity = a.severity;
  n.target = a.target;
  n.check_id = a.check_id;
  n.object = a.object;
  n.value = a.value;
  n.unit = a.unit;
  n.message = a.message;
  if (!a.recommendation.empty()) {
    // The evaluator keeps "why\nsql" (either may be missing).
    model::Recommendation r;
    const auto nl = a.recommendation.find('\n');
    if (nl == std::string::npos) {
      r.why = a.recommendation;
    } else {
      r.why = a.recommendation.substr(0, nl);
      r.sql = a.recommendation.substr(nl + 1);
    }
    n.recommendation = std::move(r);
  }
  if (!external_url.empty()) {
    std::string base = external_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    n.link = base + "/api/v1/alerts?target=" + a.target;
  }
  n.starts_at = a.first_fired_at;
  n.labels = labels;
  return n;
}

}  // namespace

std::optional<model::NotificationKind> NotificationKindFor(model::AlertEventKind kind) {
  switch (kind) {
    case model::AlertEventKind::kFired:
      return model::NotificationKind::kFiring;
    case model::AlertEventKind::kEscalated:
      return model::NotificationKind::kEscalated;
    case model::AlertEventKind::kRenotified:
      return model::NotificationKind::kRenotify;
    case model::AlertEventKind::kResolvedAuto:
    case model::AlertEventKind::kResolvedManual:
      return model::NotificationKind::kResolved;
    default:
      return std::nullopt;
  }
}

std::optional<model::Notification> BuildNotification(
    const model::AlertNotification& transition, const std::map<std::string, std::string>& labels,
    const std::string& external_url) {
  const auto kind = NotificationKindFor(transition.kind);
  if (!kind.has_value()) return std::nullopt;
  model::Notification n = FromAlert(transition.alert, labels, external_url);
  n.kind = *kind;
  // Firing and resolved happen once per alert; escalations and reminders can repeat, so their
  // key carries the transition's time (seconds), which the outbox row keeps.
  int sequence = 0;
  if (*kind == model::NotificationKind::kEscalated || *kind == model::NotificationKind::kRenotify) {
    sequence = static_cast<int>(
        std::chrono::duration_cast<std::chrono::seconds>(transition.at.time_since_epoch()).count() %
        1000000000);
  }
  n.dedup_key = model::MakeDedupKey(n.alert_id, *kind, sequence);
  if (*kind == model::NotificationKind::kResolved) {
    n.ends_at = transition.alert.resolved_at.value_or(transition.at);
  }
  return n;
}

model::Notification FiringNotification(const model::Alert& alert,
                                       const std::map<std::string, std::string>& labels,
                                       const std::string& external_url) {
  model::Notification n = FromAlert(alert, labels, external_url);
  n.kind = model::NotificationKind::kFiring;
  n.dedup_key = model::MakeDedupKey(alert.id, model::NotificationKind::kFiring);
  return n;
}

}  // namespace pgvigil::alerts
