// SPDX-License-Identifier: Apache-2.0
// Prometheus Alertmanager: POST <url>/api/v2/alerts with a JSON array of alerts, each with
// labels {alertname = check id, target, object, severity, pgvigil_alert_id, + the target's
// labels}, annotations {summary, description, recommendation, recommendation_sql}, startsAt,
// endsAt (only when resolved) and generatorURL (the alert's link).
//
// Cadence: Alertmanager treats an alert without endsAt as firing until its resolve_timeout
// (default 5 min) passes, then resolves it by itself. A firing alert must therefore be re-sent
// more often than that: the daemon calls Send (or posts AlertmanagerPayload of all firing
// alerts) every kAlertmanagerResendInterval while they fire, directly and best-effort (a lost
// re-send is repaired by the next); transitions (firing, escalated, resolved) go through the
// durable outbox like every other channel. Labels must not change between re-sends, or
// Alertmanager sees a different alert: they do not carry value or kind.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "alerts/notifiers/curl_client.h"
#include "alerts/notifiers/notifier.h"

namespace pgvigil::alerts {

// Prometheus re-sends every max(evaluation interval, 1 min); so do we.
inline constexpr std::chrono::seconds kAlertmanagerResendInterval{60};

struct AlertmanagerOptions {
  std::string name;
  std::string url;  // http://alertmanager:9093 (the base; /api/v2/alerts is appended)
  CurlTimeouts timeouts;
};

// The JSON array for POST /api/v2/alerts. A resolved notification without ends_at gets `now`.
std::string AlertmanagerPayload(const std::vector<model::Notification>& notifications,
                                common::Timestamp now);

class AlertmanagerNotifier final : public Notifier {
 public:
  explicit AlertmanagerNotifier(AlertmanagerOptions options,
                                const common::Clock& clock = common::SystemClock::Instance())
      : options_(std::move(options)), clock_(clock) {}
  const std::string& name() const override { return options_.name; }
  std::string_view kind() const override { return "alertmanager"; }
  common::Status Send(const model::Notification& notification) override;
  // Several alerts in one POST (the periodic re-send).
  common::Status SendAll(const std::vector<model::Notification>& notifications);

 private:
  AlertmanagerOptions options_;
  const common::Clock& clock_;
};

}  // namespace pgvigil::alerts
