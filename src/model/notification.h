// SPDX-License-Identifier: Apache-2.0
// A Notification is what one channel is asked to deliver about one alert transition: the alert's
// figures, its recommendation and a link back to the dashboard. Plain data: alerts/ builds it
// from an alert, the outbox stores it as JSON, notifiers render it for their receiver.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "model/finding.h"

namespace pgvigil::model {

enum class NotificationKind {
  kFiring,     // the alert started firing
  kEscalated,  // warning → critical on the same alert
  kResolved,   // the condition cleared (or an operator resolved it)
  kRenotify,   // an unacknowledged critical, repeated at an interval
  kTest,       // `pgvigil alerts test CHANNEL`
};

inline std::string_view NotificationKindName(NotificationKind kind) {
  switch (kind) {
    case NotificationKind::kFiring:
      return "firing";
    case NotificationKind::kEscalated:
      return "escalated";
    case NotificationKind::kResolved:
      return "resolved";
    case NotificationKind::kRenotify:
      return "renotify";
    case NotificationKind::kTest:
      return "test";
  }
  return "firing";
}

struct Notification {
  // Stable per alert and transition: the same transition retried (or re-sent after a restart)
  // carries the same key, so receivers can drop duplicates. See MakeDedupKey.
  std::string dedup_key;
  std::int64_t alert_id = 0;
  NotificationKind kind = NotificationKind::kFiring;
  Severity severity = Severity::kWarning;
  std::string target;    // the monitored server
  std::string check_id;  // "locks.blocking"
  std::string object;    // "pid 4242", "app.public.orders", …
  std::optional<double> value;
  std::string unit;
  std::string message;  // the finding's one line
  std::optional<Recommendation> recommendation;
  std::string link;  // the alert's dashboard URL; empty when no external URL is configured
  common::Timestamp starts_at{};
  std::optional<common::Timestamp> ends_at;   // set on kResolved
  std::map<std::string, std::string> labels;  // the target's region, labels, …
};

// "pgvigil-42-firing"; `sequence` tells repeated transitions of one kind apart (the n-th
// re-notification, a second escalation after a de-escalation): 0 leaves it out.
inline std::string MakeDedupKey(std::int64_t alert_id, NotificationKind kind, int sequence = 0) {
  std::string key =
      "pgvigil-" + std::to_string(alert_id) + "-" + std::string(NotificationKindName(kind));
  if (sequence != 0) key += "-" + std::to_string(sequence);
  return key;
}

}  // namespace pgvigil::model
