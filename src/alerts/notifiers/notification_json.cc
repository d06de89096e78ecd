// SPDX-License-Identifier: Apache-2.0
#include "alerts/notifiers/notification_json.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <utility>

#include <nlohmann/json.hpp>

namespace pgvigil::alerts {
namespace {

using model::NotificationKind;
using model::Severity;

constexpr std::array<std::pair<Severity, const char*>, 4> kSeverities{{
    {Severity::kOk, "ok"},
    {Severity::kInfo, "info"},
    {Severity::kWarning, "warning"},
    {Severity::kCritical, "critical"},
}};
constexpr std::array<NotificationKind, 5> kKinds{
    NotificationKind::kFiring, NotificationKind::kEscalated, NotificationKind::kResolved,
    NotificationKind::kRenotify, NotificationKind::kTest};

// Parses what common::FormatTimestamp writes: "2026-11-22T07:03:36.123456Z".
bool ParseTimestamp(const std::string& text, common::Timestamp* out) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, micros = 0;
  if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &y, &mo, &d, &h, &mi, &s, &micros) < 6) {
    return false;
  }
  const auto day = std::chrono::sys_days(std::chrono::year(y) / mo / d);
  *out = std::chrono::time_point_cast<std::chrono::microseconds>(day) + std::chrono::hours(h) +
         std::chrono::minutes(mi) + std::chrono::seconds(s) + std::chrono::microseconds(micros);
  return true;
}

}  // namespace

std::string NotificationToJson(const model::Notification& n) {
  nlohmann::json j;
  j["dedup_key"] = n.dedup_key;
  j["alert_id"] = n.alert_id;
  j["kind"] = std::string(model::NotificationKindName(n.kind));
  for (const auto& [severity, name] : kSeverities) {
    if (severity == n.severity) j["severity"] = name;
  }
  j["target"] = n.target;
  j["check_id"] = n.check_id;
  j["object"] = n.object;
  j["value"] = n.value.has_value() ? nlohmann::json(*n.value) : nlohmann::json(nullptr);
  j["unit"] = n.unit;
  j["message"] = n.message;
  if (n.recommendation.has_value()) {
    j["recommendation"] = {{"sql", n.recommendation->sql}, {"why", n.recommendation->why}};
  } else {
    j["recommendation"] = nullptr;
  }
  j["link"] = n.link;
  j["starts_at"] = common::FormatTimestamp(n.starts_at);
  j["ends_at"] = n.ends_at.has_value() ? nlohmann::json(common::FormatTimestamp(*n.ends_at))
                                       : nlohmann::json(nullptr);
  j["labels"] = n.labels;
  return j.dump();
}

common::Result<model::Notification> NotificationFromJson(const std::string& text) {
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    model::Notification n;
    n.dedup_key = j.at("dedup_key").get<std::string>();
    n.alert_id = j.at("alert_id").get<std::int64_t>();
    const std::string kind = j.at("kind").get<std::string>();
    bool kind_known = false;
    for (NotificationKind k : kKinds) {
      if (model::NotificationKindName(k) == kind) {
        n.kind = k;
        kind_known = true;
      }
    }
    if (!kind_known) return common::InvalidArgumentError("unknown notification kind: " + kind);
    const std::string severity = j.at("severity").get<std::string>();
    bool severity_known = false;
    for (const auto& [s, name] : kSeverities) {
      if (severity == name) {
        n.severity = s;
        severity_known = true;
      }
    }
    if (!severity_known) return common::InvalidArgumentError("unknown severity: " + severity);
    n.target = j.at("target").get<std::string>();
    n.check_id = j.at("check_id").get<std::string>();
    n.object = j.value("object", "");
    if (j.contains("value") && !j["value"].is_null()) n.value = j["value"].get<double>();
    n.unit = j.value("unit", "");
    n.message = j.value("message", "");
    if (j.contains("recommendation") && j["recommendation"].is_object()) {
      n.recommendation = model::Recommendation{j["recommendation"].value("sql", ""),
                                               j["recommendation"].value("why", "")};
    }
    n.link = j.value("link", "");
    if (!ParseTimestamp(j.at("starts_at").get<std::string>(), &n.starts_at)) {
      return common::InvalidArgumentError("starts_at is not a timestamp");
    }
    if (j.contains("ends_at") && j["ends_at"].is_string()) {
      common::Timestamp ends{};
      if (!ParseTimestamp(j["ends_at"].get<std::string>(), &ends)) {
        return common::InvalidArgumentError("ends_at is not a timestamp");
      }
      n.ends_at = ends;
    }
    if (j.contains("labels")) n.labels = j["labels"].get<std::map<std::string, std::string>>();
    return n;
  } catch (const nlohmann::json::exception& e) {
    return common::InvalidArgumentError(std::string("notification JSON: ") + e.what());
  }
}

}  // namespace pgvigil::alerts
