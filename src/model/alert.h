// SPDX-License-Identifier: Apache-2.0
// Alerts as plain data: an Alert (one condition of one target, from firing to resolved), its
// audit trail of AlertEvents, Silences, the pending `for` timers, and AlertChanges, the outcome
// of one step of alerts::RuleEvaluator that the store commits in one durable transaction.
// Produced by alerts/, persisted by store/alert_store.h, shown by http/. No behaviour here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "model/finding.h"

namespace pgvigil::model {

enum class AlertState { kFiring, kAcknowledged, kResolved };

enum class AlertEventKind {
  kFired,
  kEscalated,
  kDeescalated,
  kAcknowledged,
  kResolvedAuto,
  kResolvedManual,
  kSilenced,
  kRenotified,
};

inline std::string_view AlertStateName(AlertState s) {
  switch (s) {
    case AlertState::kFiring:
      return "firing";
    case AlertState::kAcknowledged:
      return "acknowledged";
    case AlertState::kResolved:
      return "resolved";
  }
  return "firing";
}

inline std::optional<AlertState> ParseAlertState(std::string_view s) {
  if (s == "firing") return AlertState::kFiring;
  if (s == "acknowledged") return AlertState::kAcknowledged;
  if (s == "resolved") return AlertState::kResolved;
  return std::nullopt;
}

inline std::string_view AlertEventKindName(AlertEventKind k) {
  switch (k) {
    case AlertEventKind::kFired:
      return "fired";
    case AlertEventKind::kEscalated:
      return "escalated";
    case AlertEventKind::kDeescalated:
      return "deescalated";
    case AlertEventKind::kAcknowledged:
      return "acknowledged";
    case AlertEventKind::kResolvedAuto:
      return "resolved_auto";
    case AlertEventKind::kResolvedManual:
      return "resolved_manual";
    case AlertEventKind::kSilenced:
      return "silenced";
    case AlertEventKind::kRenotified:
      return "renotified";
  }
  return "fired";
}

inline std::optional<AlertEventKind> ParseAlertEventKind(std::string_view s) {
  for (AlertEventKind k :
       {AlertEventKind::kFired, AlertEventKind::kEscalated, AlertEventKind::kDeescalated,
        AlertEventKind::kAcknowledged, AlertEventKind::kResolvedAuto,
        AlertEventKind::kResolvedManual, AlertEventKind::kSilenced, AlertEventKind::kRenotified}) {
    if (AlertEventKindName(k) == s) return k;
  }
  return std::nullopt;
}

// "target|check|object": at most one alert that is not resolved exists per key.
inline std::string AlertDedupKey(std::string_view target, std::string_view check_id,
                                 std::string_view object) {
  std::string key;
  key.reserve(target.size() + check_id.size() + object.size() + 2);
  key.append(target).append("|").append(check_id).append("|").append(object);
  return key;
}

struct Alert {
  std::int64_t id = 0;  // assigned by the evaluator: 1, 2, 3, … never reused
  std::string target;
  std::string check_id;  // the finding's id: "locks.blocking"
  std::string object;
  Severity severity = Severity::kWarning;
  AlertState state = AlertState::kFiring;
  common::Timestamp first_fired_at{};
  common::Timestamp last_changed_at{};
  std::optional<common::Timestamp> resolved_at;
  std::string acked_by;
  std::optional<common::Timestamp> acked_at;
  std::string ack_note;
  // The finding as of the last transition (not refreshed on every evaluation).
  std::optional<double> value;
  std::string unit;
  std::string message;
  std::string recommendation;  // the recommendation's why, then its SQL, when there is one

  // Timers the evaluator persists with the alert, so they survive a restart:
  std::optional<common::Timestamp> clear_since;       // first clear observation of this clear run
  std::optional<common::Timestamp> lower_since;       // first observation below `severity`
  std::optional<common::Timestamp> last_notified_at;  // fired / escalated / renotified

  std::string DedupKey() const { return AlertDedupKey(target, check_id, object); }
  bool IsOpen() const { return state != AlertState::kResolved; }
};

// One line of an alert's audit trail.
struct AlertEvent {
  std::int64_t id = 0;  // assigned by the store
  std::int64_t alert_id = 0;
  common::Timestamp at{};
  AlertEventKind kind = AlertEventKind::kFired;
  std::string actor;  // "pgvigil" for automatic transitions, else the operator's name
  std::string note;
  Severity severity = Severity::kWarning;  // the alert's severity after the event
};

// Open alerts matching every pattern get no notifications until `until`.
struct Silence {
  std::int64_t id = 0;               // assigned by the evaluator
  std::string target_pattern = "*";  // shell globs: '*' any run, '?' one character
  std::string check_pattern = "*";
  std::string object_pattern = "*";
  common::Timestamp until{};
  common::Timestamp created_at{};
  std::string created_by;
  std::string note;
};

// A condition seen but not yet held for its rule's `for`: the pending timer.
struct PendingCondition {
  std::string target;
  std::string check_id;
  std::string object;
  Severity severity = Severity::kWarning;
  common::Timestamp first_seen{};

  std::string DedupKey() const { return AlertDedupKey(target, check_id, object); }
  friend bool operator==(const PendingCondition&, const PendingCondition&) = default;
};

// A message to send about an alert (the routing to channels is the notifiers' business).
struct AlertNotification {
  AlertEventKind kind = AlertEventKind::kFired;  // fired, escalated, renotified or resolved_*
  Alert alert;                                   // the alert after the transition
  common::Timestamp at{};
};

// What one evaluator step changed; the store applies it in one durable transaction.
struct AlertChanges {
  std::vector<Alert> alerts;  // new or changed alerts, as they are now (upserted by id)
  std::vector<AlertEvent> events;
  std::vector<AlertNotification> notifications;
  std::vector<Silence> silences;  // new silences
  // When set, the pending timers of this target are replaced by `pending`.
  std::optional<std::string> pending_target;
  std::vector<PendingCondition> pending;

  bool empty() const {
    return alerts.empty() && events.empty() && notifications.empty() && silences.empty() &&
           !pending_target.has_value();
  }
};

// Everything the evaluator needs back after a restart.
struct PersistedAlertState {
  std::vector<Alert> open_alerts;  // firing or acknowledged
  std::vector<PendingCondition> pending;
  std::vector<Silence> silences;  // not yet expired
  std::int64_t max_alert_id = 0;  // the highest id ever given
  std::int64_t max_silence_id = 0;
};

}  // namespace pgvigil::model
