// SPDX-License-Identifier: Apache-2.0
#include "alerts/rule_evaluator.h"
#include "model/health_report.h"

#include <algorithm>
#include <set>

namespace pgvigil::alerts {
namespace {

using model::AlertEventKind;
using model::AlertState;

std::string RecommendationText(const model::Finding& f) {
  if (!f.recommendation) return {};
  if (f.recommendation->sql.empty()) return f.recommendation->why;
  if (f.recommendation->why.empty()) return f.recommendation->sql;
  return f.recommendation->why + "\n" + f.recommendation->sql;
}

void CopyFinding(const model::Finding& f, model::Alert& a) {
  a.value = f.value;
  a.unit = f.unit;
  a.message = f.message;
  a.recommendation = RecommendationText(f);
}

}  // namespace

void RuleEvaluator::Restore(const model::PersistedAlertState& state) {
  open_.clear();
  pending_.clear();
  for (const model::Alert& a : state.open_alerts) open_[a.DedupKey()] = a;
  for (const model::PendingCondition& p : state.pending) pending_[p.DedupKey()] = p;
  silences_ = state.silences;
  max_alert_id_ = state.max_alert_id;
  max_silence_id_ = state.max_silence_id;
}

bool RuleEvaluator::IsSilenced(const model::Alert& a, common::Timestamp now) const {
  return std::any_of(silences_.begin(), silences_.end(), [&](const model::Silence& s) {
    return s.until > now && GlobMatch(s.target_pattern, a.target) &&
           GlobMatch(s.check_pattern, a.check_id) && GlobMatch(s.object_pattern, a.object);
  });
}

void RuleEvaluator::AddEvent(model::AlertChanges& out, const model::Alert& a, AlertEventKind kind,
                             common::Timestamp at, std::string_view actor,
                             const std::string& note) {
  model::AlertEvent e;
  e.alert_id = a.id;
  e.at = at;
  e.kind = kind;
  e.actor = std::string(actor);
  e.note = note;
  e.severity = a.severity;
  out.events.push_back(std::move(e));
}

void RuleEvaluator::Notify(model::AlertChanges& out, model::Alert& a, AlertEventKind kind,
                           common::Timestamp now) const {
  // The renotify clock runs even while silenced, so a silence that ends does not release a
  // burst of overdue reminders.
  if (kind != AlertEventKind::kResolvedAuto && kind != AlertEventKind::kResolvedManual) {
    a.last_notified_at = now;
  }
  if (IsSilenced(a, now)) return;
  out.notifications.push_back({kind, a, now});
}

model::AlertChanges RuleEvaluator::Evaluate(const std::string& target,
                                            const model::HealthReport& report, bool collection_ok) {
  const common::Timestamp now = clock_.Now();
  model::AlertChanges out;
  std::erase_if(silences_, [&](const model::Silence& s) { return s.until <= now; });

  // The conditions now: findings at or above their rule's minimum, the worst per key.
  std::map<std::string, const model::Finding*> conditions;
  for (const model::Finding& f : report.findings) {
    if (f.insufficient_data || f.severity < model::Severity::kWarning) continue;
    const RuleSettings rule = rules_.For(f.id, target, f.object);
    if (!rule.enabled || f.severity < rule.min_severity) continue;
    const model::Finding*& slot = conditions[model::AlertDedupKey(target, f.id, f.object)];
    if (slot == nullptr || f.severity > slot->severity) slot = &f;
  }

  std::vector<model::PendingCondition> pending_before;
  for (const auto& [key, p] : pending_) {
    if (p.target == target) pending_before.push_back(p);
  }
  std::set<std::string> changed;  // keys of open alerts to upsert

  for (const auto& [key, f] : conditions) {
    const RuleSettings rule = rules_.For(f->id, target, f->object);
    auto it = open_.find(key);
    if (it != open_.end()) {
      model::Alert& a = it->second;
      if (a.clear_since) {
        a.clear_since.reset();
        changed.insert(key);
      }
      if (f->severity > a.severity) {
        a.severity = f->severity;
        a.state = AlertState::kFiring;  // an escalation needs a new acknowledgement
        a.lower_since.reset();
        a.last_changed_at = now;
        CopyFinding(*f, a);
        AddEvent(out, a, AlertEventKind::kEscalated, now, kSystemActor, f->message);
        Notify(out, a, AlertEventKind::kEscalated, now);
        changed.insert(key);
      } else if (f->severity < a.severity) {
        if (!a.lower_since) {
          a.lower_since = now;
          changed.insert(key);
        }
        if (now - *a.lower_since >= rule.resolve_after) {
          a.severity = f->severity;
          a.lower_since.reset();
          a.last_changed_at = now;
          CopyFinding(*f, a);
          AddEvent(out, a, AlertEventKind::kDeescalated, now, kSystemActor, f->message);
          changed.insert(key);
        }
      } else if (a.lower_since) {
        a.lower_since.reset();
        changed.insert(key);
      }
      continue;
    }
    auto [pit, inserted] = pending_.try_emplace(key);
    model::PendingCondition& p = pit->second;
    if (inserted) p = {target, f->id, f->object, f->severity, now};
    p.severity = f->severity;
    if (now - p.first_seen < rule.for_duration) continue;
    model::Alert a;
    a.id = ++max_alert_id_;
    a.target = target;
    a.check_id = f->id;
    a.object = f->object;
    a.severity = f->severity;
    a.state = AlertState::kFiring;
    a.first_fired_at = now;
    a.last_changed_at = now;
    CopyFinding(*f, a);
    AddEvent(out, a, AlertEventKind::kFired, now, kSystemActor, f->message);
    Notify(out, a, AlertEventKind::kFired, now);
    pending_.erase(pit);
    open_[key] = a;
    changed.insert(key);
  }

  // Pending conditions not seen now are dropped: `for` counts an unbroken run of sightings,
  // and no data (a failed collection) does not continue a run either.
  std::erase_if(pending_, [&](const auto& kv) {
    return kv.second.target == target && !conditions.contains(kv.first);
  });

  for (auto it = open_.begin(); it != open_.end();) {
    model::Alert& a = it->second;
    const std::string key = it->first;
    if (a.target != target) {
      ++it;
      continue;
    }
    const RuleSettings rule = rules_.For(a.check_id, a.target, a.object);
    if (!conditions.contains(key)) {
      if (!collection_ok) {
        // No data is not "all clear": a clear run must be seen, start to end.
        if (a.clear_since) {
          a.clear_since.reset();
          changed.insert(key);
        }
      } else {
        if (!a.clear_since) {
          a.clear_since = now;
          changed.insert(key);
        }
        if (now - *a.clear_since >= rule.resolve_after) {
          a.state = AlertState::kResolved;
          a.resolved_at = now;
          a.last_changed_at = now;
          a.clear_since.reset();
          a.lower_since.reset();
          AddEvent(out, a, AlertEventKind::kResolvedAuto, now, kSystemActor, "condition cleared");
          Notify(out, a, AlertEventKind::kResolvedAuto, now);
          out.alerts.push_back(a);
          changed.erase(key);
          it = open_.erase(it);
          continue;
        }
      }
    }
    if (a.state == AlertState::kFiring && a.severity == model::Severity::kCritical &&
        rule.renotify_interval.count() > 0 && a.last_notified_at &&
        now - *a.last_notified_at >= rule.renotify_interval) {
      const bool silenced = IsSilenced(a, now);
      Notify(out, a, AlertEventKind::kRenotified, now);
      if (!silenced) AddEvent(out, a, AlertEventKind::kRenotified, now, kSystemActor, "");
      changed.insert(key);
    }
    ++it;
  }
  for (const std::string& key : changed) out.alerts.push_back(open_.at(key));

  std::vector<model::PendingCondition> pending_after;
  for (const auto& [key, p] : pending_) {
    if (p.target == target) pending_after.push_back(p);
  }
  // Severity changes of a pending condition need not be stored; its start does.
  auto starts = [](const std::vector<model::PendingCondition>& v) {
    std::vector<std::pair<std::string, common::Timestamp>> r;
    for (const auto& p : v) r.emplace_back(p.DedupKey(), p.first_seen);
    return r;
  };
  if (starts(pending_before) != starts(pending_after)) {
    out.pending_target = target;
    out.pending = std::move(pending_after);
  }
  return out;
}

common::Result<model::Alert*> RuleEvaluator::FindOpen(std::int64_t alert_id) {
  for (auto& [key, a] : open_) {
    if (a.id == alert_id) return &a;
  }
  // Ids are given in order and never reused, so a known id that is not open is resolved.
  if (alert_id >= 1 && alert_id <= max_alert_id_) {
    return common::InvalidArgumentError("alert " + std::to_string(alert_id) +
                                        " is already resolved");
  }
  return common::NotFoundError("no alert with id " + std::to_string(alert_id));
}

common::Result<model::AlertChanges> RuleEvaluator::Acknowledge(std::int64_t alert_id,
                                                               const std::string& who,
                                                               const std::string& note) {
  PGV_ASSIGN_OR_RETURN(model::Alert * a, FindOpen(alert_id));
  if (a->state == AlertState::kAcknowledged) {
    return common::InvalidArgumentError("alert " + std::to_string(alert_id) +
                                        " is already acknowledged by " + a->acked_by);
  }
  const common::Timestamp now = clock_.Now();
  a->state = AlertState::kAcknowledged;
  a->acked_by = who;
  a->acked_at = now;
  a->ack_note = note;
  a->last_changed_at = now;
  model::AlertChanges out;
  AddEvent(out, *a, AlertEventKind::kAcknowledged, now, who, note);
  out.alerts.push_back(*a);
  return out;
}

common::Result<model::AlertChanges> RuleEvaluator::Resolve(std::int64_t alert_id,
                                                           const std::string& who,
                                                           const std::string& note) {
  PGV_ASSIGN_OR_RETURN(model::Alert * a, FindOpen(alert_id));
  const common::Timestamp now = clock_.Now();
  a->state = AlertState::kResolved;
  a->resolved_at = now;
  a->last_changed_at = now;
  a->clear_since.reset();
  a->lower_since.reset();
  model::AlertChanges out;
  AddEvent(out, *a, AlertEventKind::kResolvedManual, now, who, note);
  Notify(out, *a, AlertEventKind::kResolvedManual, now);
  out.alerts.push_back(*a);
  open_.erase(a->DedupKey());
  return out;
}

common::Result<model::AlertChanges> RuleEvaluator::Silence(const SilenceMatchers& matchers,
                                                           common::Timestamp until,
                                                           const std::string& who,
                                                           const std::string& note) {
  const common::Timestamp now = clock_.Now();
  if (until <= now) {
    return common::InvalidArgumentError("a silence must end in the future (until " +
                                        common::FormatTimestamp(until) + ")");
  }
  if (matchers.target_pattern.empty() || matchers.check_pattern.empty() ||
      matchers.object_pattern.empty()) {
    return common::InvalidArgumentError("silence matchers must be non-empty globs");
  }
  model::Silence s;
  s.id = ++max_silence_id_;
  s.target_pattern = matchers.target_pattern;
  s.check_pattern = matchers.check_pattern;
  s.object_pattern = matchers.object_pattern;
  s.until = until;
  s.created_at = now;
  s.created_by = who;
  s.note = note;
  silences_.push_back(s);
  model::AlertChanges out;
  out.silences.push_back(s);
  for (const auto& [key, a] : open_) {
    if (GlobMatch(s.target_pattern, a.target) && GlobMatch(s.check_pattern, a.check_id) &&
        GlobMatch(s.object_pattern, a.object)) {
      AddEvent(out, a, AlertEventKind::kSilenced, now, who,
               note.empty() ? "until " + common::FormatTimestamp(until)
                            : note + " (until " + common::FormatTimestamp(until) + ")");
    }
  }
  return out;
}

common::Result<model::AlertChanges> RuleEvaluator::SilenceAlert(std::int64_t alert_id,
                                                                common::Timestamp until,
                                                                const std::string& who,
                                                                const std::string& note) {
  PGV_ASSIGN_OR_RETURN(model::Alert * a, FindOpen(alert_id));
  // Globs with the alert's own names: '*' and '?' in names would widen the match a little,
  // which is harmless for a silence that the operator asked for on this alert.
  return Silence({a->target, a->check_id, a->object}, until, who, note);
}

std::vector<model::Alert> RuleEvaluator::OpenAlerts() const {
  std::vector<model::Alert> r;
  for (const auto& [key, a] : open_) r.push_back(a);
  std::sort(r.begin(), r.end(), [](const auto& x, const auto& y) { return x.id < y.id; });
  return r;
}

}  // namespace pgvigil::alerts
