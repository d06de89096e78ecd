// SPDX-License-Identifier: Apache-2.0
#include "alerts/notifiers/alertmanager_notifier.h"

#include <nlohmann/json.hpp>

namespace pgvigil::alerts {
namespace {

std::string LowerSeverity(model::Severity severity) {
  std::string text(SeverityLabel(severity));
  for (char& c : text) c = static_cast<char>(c - 'A' + 'a');
  return text;
}

// Alertmanager wants RFC 3339; FormatTimestamp writes "…T07:03:36.123456Z", which is.
nlohmann::json OneAlert(const model::Notification& n, common::Timestamp now) {
  nlohmann::json labels = nlohmann::json::object();
  // The target's own labels first, so pgvigil's names win on a clash.
  for (const auto& [key, value] : n.labels) labels[key] = value;
  labels["alertname"] = n.check_id;
  labels["target"] = n.target;
  if (!n.object.empty()) labels["object"] = n.object;
  labels["severity"] = LowerSeverity(n.severity);
  labels["pgvigil_alert_id"] = std::to_string(n.alert_id);
  nlohmann::json annotations = {{"summary", Summary(n)}, {"description", n.message}};
  if (n.recommendation.has_value()) {
    annotations["recommendation"] = n.recommendation->why;
    if (!n.recommendation->sql.empty()) annotations["recommendation_sql"] = n.recommendation->sql;
  }
  nlohmann::json alert = {{"labels", labels},
                          {"annotations", annotations},
                          {"startsAt", common::FormatTimestamp(n.starts_at)}};
  if (n.kind == model::NotificationKind::kResolved) {
    alert["endsAt"] = common::FormatTimestamp(n.ends_at.value_or(now));
  }
  if (!n.link.empty()) alert["generatorURL"] = n.link;
  return alert;
}

}  // namespace

std::string AlertmanagerPayload(const std::vector<model::Notification>& notifications,
                                common::Timestamp now) {
  nlohmann::json alerts = nlohmann::json::array();
  for (const model::Notification& n : notifications) alerts.push_back(OneAlert(n, now));
  return alerts.dump();
}

common::Status AlertmanagerNotifier::Send(const model::Notification& notification) {
  return SendAll({notification});
}

common::Status AlertmanagerNotifier::SendAll(
    const std::vector<model::Notification>& notifications) {
  HttpRequest request;
  std::string base = options_.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  request.url = base + "/api/v2/alerts";
  request.body = AlertmanagerPayload(notifications, clock_.Now());
  request.headers = {"Content-Type: application/json", "User-Agent: pgvigil"};
  request.secrets = {options_.url};
  request.timeouts = options_.timeouts;
  return HttpPost(request).status().WithContext("alertmanager " + options_.name);
}

}  // namespace pgvigil::alerts
