// SPDX-License-Identifier: Apache-2.0
// RuleEvaluator is the alert state machine. It is fed each target's HealthReport (or the
// analysis::UnreachableReport of a failed collection) and operators' actions, and returns the
// changes to commit (model::AlertChanges: alerts, events, notifications, silences, pending
// timers). It does no I/O: the caller commits the changes (store/alert_store.h) before it sends
// any notification. Time comes from the injected Clock.
//
//   pending ──seen for `for`──▶ firing ──ack──▶ acknowledged
//      │                          │  ▲ escalation re-opens      │
//      └─not seen: dropped        └──clear for resolve_after────┴──▶ resolved (or by hand)
//
// A failed collection is no data, not "all clear": it never starts or advances a resolve.
// Thread-compatible: one owner calls it (the daemon's alert strand).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "alerts/rule.h"
#include "common/clock.h"
#include "common/result.h"
#include "model/alert.h"
#include "model/health_report.h"

namespace pgvigil::alerts {

inline constexpr std::string_view kSystemActor = "pgvigil";

struct SilenceMatchers {
  std::string target_pattern = "*";
  std::string check_pattern = "*";
  std::string object_pattern = "*";
};

class RuleEvaluator {
 public:
  // `clock` is not owned and must outlive the evaluator.
  RuleEvaluator(RuleSet rules, const common::Clock& clock)
      : rules_(std::move(rules)), clock_(clock) {}

  // Restores what the store loaded on start (replaces the current state).
  void Restore(const model::PersistedAlertState& state);

  // One evaluation of `target`: `report` holds its findings now. `collection_ok` is false when
  // the collection failed (the report is then the unreachable verdict): findings present still
  // count, but absent ones are not taken as clear.
  model::AlertChanges Evaluate(const std::string& target, const model::HealthReport& report,
                               bool collection_ok);

  // Operators' actions. kNotFound for an unknown id; kInvalidArgument for a transition the
  // alert's state does not allow (acknowledging or resolving a resolved alert, acknowledging
  // twice) or a silence that has already expired.
  common::Result<model::AlertChanges> Acknowledge(std::int64_t alert_id, const std::string& who,
                                                  const std::string& note);
  common::Result<model::AlertChanges> Resolve(std::int64_t alert_id, const std::string& who,
                                              const std::string& note);
  common::Result<model::AlertChanges> Silence(const SilenceMatchers& matchers,
                                              common::Timestamp until, const std::string& who,
                                              const std::string& note);
  // A silence of exactly this alert's (target, check, object).
  common::Result<model::AlertChanges> SilenceAlert(std::int64_t alert_id, common::Timestamp until,
                                                   const std::string& who, const std::string& note);

  // The open (firing or acknowledged) alerts, by id; for the API and tests.
  std::vector<model::Alert> OpenAlerts() const;
  const std::map<std::string, model::PendingCondition>& PendingForTest() const { return pending_; }

 private:
  bool IsSilenced(const model::Alert& a, common::Timestamp now) const;
  common::Result<model::Alert*> FindOpen(std::int64_t alert_id);
  static void AddEvent(model::AlertChanges& out, const model::Alert& a, model::AlertEventKind kind,
                       common::Timestamp at, std::string_view actor, const std::string& note);
  void Notify(model::AlertChanges& out, model::Alert& a, model::AlertEventKind kind,
              common::Timestamp now) const;

  RuleSet rules_;
  const common::Clock& clock_;
  std::map<std::string, model::Alert> open_;                // by dedup key
  std::map<std::string, model::PendingCondition> pending_;  // by dedup key
  std::vector<model::Silence> silences_;
  std::int64_t max_alert_id_ = 0;
  std::int64_t max_silence_id_ = 0;
};

}  // namespace pgvigil::alerts
