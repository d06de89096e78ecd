// SPDX-License-Identifier: Apache-2.0
#include "alerts/rule_evaluator.h"
#include "model/health_report.h"

#include <gtest/gtest.h>

namespace pgvigil::alerts {
namespace {

using model::AlertEventKind;
using model::AlertState;
using model::Severity;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

class FakeClock final : public common::Clock {
 public:
  common::Timestamp Now() const override { return now_; }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::time_point(now_.time_since_epoch());
  }
  void Advance(std::chrono::microseconds d) { now_ += d; }

 private:
  common::Timestamp now_ = common::TimestampFromEpochSeconds(1'800'000'000);
};

model::Finding Blocking(Severity s, std::string object = "pid 42") {
  model::Finding f;
  f.id = "locks.blocking";
  f.severity = s;
  f.target = "db1";
  f.object = std::move(object);
  f.value = 12;
  f.unit = "seconds";
  f.message = "pid 42 blocks 3 backends";
  f.recommendation = model::Recommendation{"SELECT pg_terminate_backend(42)", "It blocks."};
  return f;
}

model::HealthReport Report(std::vector<model::Finding> findings) {
  model::HealthReport r;
  r.target = "db1";
  r.findings = std::move(findings);
  return r;
}

model::HealthReport Clear() { return Report({}); }

RuleSet Rules(seconds for_duration, seconds resolve_after, seconds renotify = hours(4)) {
  RuleSettings d;
  d.for_duration = for_duration;
  d.resolve_after = resolve_after;
  d.renotify_interval = renotify;
  return RuleSet({}, d);
}

std::vector<AlertEventKind> Kinds(const model::AlertChanges& c) {
  std::vector<AlertEventKind> k;
  for (const auto& e : c.events) k.push_back(e.kind);
  return k;
}

class RuleEvaluatorTest : public ::testing::Test {
 protected:
  FakeClock clock_;
};

TEST_F(RuleEvaluatorTest, FiresOnlyAfterTheConditionHeldForFor) {
  RuleEvaluator ev(Rules(seconds(30), seconds(60)), clock_);
  auto c = ev.Evaluate("db1", Report({Blocking(Severity::kWarning)}), true);
  EXPECT_TRUE(c.events.empty());
  ASSERT_TRUE(c.pending_target.has_value());
  ASSERT_EQ(c.pending.size(), 1u);
  clock_.Advance(seconds(29));
  c = ev.Evaluate("db1", Report({Blocking(Severity::kWarning)}), true);
  EXPECT_TRUE(c.empty()) << "29 s < for: nothing to store yet";
  clock_.Advance(seconds(1));
  c = ev.Evaluate("db1", Report({Blocking(Severity::kWarning)}), true);
  ASSERT_EQ(Kinds(c), std::vector{AlertEventKind::kFired});
  ASSERT_EQ(c.notifications.size(), 1u);
  EXPECT_EQ(c.notifications[0].kind, AlertEventKind::kFired);
  ASSERT_EQ(c.alerts.size(), 1u);
  const model::Alert& a = c.alerts[0];
  EXPECT_EQ(a.id, 1);
  EXPECT_EQ(a.state, AlertState::kFiring);
  EXPECT_EQ(a.DedupKey(), "db1|locks.blocking|pid 42");
  EXPECT_EQ(a.recommendation, "It blocks.\nSELECT pg_terminate_backend(42)");
  EXPECT_TRUE(c.pending_target.has_value());
  EXPECT_TRUE(c.pending.empty()) << "the pending timer is gone once fired";
}

TEST_F(RuleEvaluatorTest, ZeroForFiresOnFirstSighting) {
  RuleEvaluator ev(Rules(seconds(0), seconds(0)), clock_);
  auto c = ev.Evaluate("db1", Report({Blocking(Severity::kCritical)}), true);
  EXPECT_EQ(Kinds(c), std::vector{AlertEventKind::kFired});
  EXPECT_FALSE(c.pending_target.has_value()) << "no pending timer existed before or after";
}

TEST_F(RuleEvaluatorTest, FlappingFasterThanForNeverFires) {
  RuleEvaluator ev(Rules(seconds(30), seconds(60)), clock_);
  for (int i = 0; i < 20; ++i) {
    auto on = ev.Evaluate("db1", Report({Blocking(Severity::kCritical)}), true);
    EXPECT_TRUE(on.events.empty());
    clock_.Advance(seconds(20));
    auto off = ev.Evaluate("db1", Clear(), true);
    EXPECT_TRUE(off.events.empty());
    EXPECT_TRUE(off.notifications.empty());
    clock_.Advance(seconds(20));
  }
  EXPECT_TRUE(ev.OpenAlerts().empty());
}

TEST_F(RuleEvaluatorTest, EscalationUpdatesTheSameAlertAndNotifies) {
  RuleEvaluator ev(Rules(seconds(0), seconds(60)), clock_);
  (void)ev.Evaluate("db1", Report({Blocking(Severity::kWarning)}), true);
  clock_.Advance(seconds(5));
  auto c = ev.Evaluate("db1", Report({Blocking(Severity::kCritical)}), true);
  EXPECT_EQ(Kinds(c), std::vector{AlertEventKind::kEscalated});
  ASSERT_EQ(c.notifications.size(), 1u);
  EXPECT_EQ(c.notifications[0].alert.id, 1);
  EXPECT_EQ(c.notifications[0].alert.severity, Severity::kCritical);
  ASSERT_EQ(ev.OpenAlerts().size(), 1u);
  EXPECT_EQ(ev.OpenAlerts()[0].id, 1);
}

TEST_F(RuleEvaluatorTest, DeescalatesAfterLowerSeverityHeldForResolveAfter) {
  RuleEvaluator ev(Rules(seconds(0), seconds(60)), clock_);
  (void)ev.Evaluate("db1", Report({Blocking(Severity::kCritical)}), true);
  clock_.Advance(seconds(10));
  auto c = ev.Evaluate("db1", Report({Blocking(Severity::kWarning)}), true);
  EXPECT_TRUE(c.events.empty());
  clock_.Advance(seconds(60));
  c = ev.Evaluate("db1", Report({Blocking(Severity::kWarning)}), true);
  EXPECT_EQ(Kinds(c), std::vector{AlertEventKind::kDeescalated});
  EXPECT_TRUE(c.notifications.empty());
  EXPECT_EQ(ev.OpenAlerts()[0].severity, Severity::kWarning);
}

TEST_F(RuleEvaluatorTest, FailedCollectionKeepsTheAlertFiring) {
  RuleEvaluator ev(Rules(seconds(0), seconds(60)), clock_);
  (void)ev.Evaluate("db1", Report({Blocking(Severity::kCritical)}), true);
  model::Finding unreachable;
  unreachable.id = "target.unreachable";
  unreachable.severity = Severity::kCritical;
  unreachable.object = "db1";
  for (int i = 0; i < 10; ++i) {
    clock_.Advance(minutes(5));
    auto c = ev.Evaluate("db1", Report({unreachable}), /*collection_ok=*/false);
    for (const auto& e : c.events) EXPECT_NE(e.kind, AlertEventKind::kResolvedAuto);
  }
  const auto open = ev.OpenAlerts();
  ASSERT_EQ(open.size(), 2u) << "the lock alert stays, and target.unreachable fired";
  EXPECT_EQ(open[0].check_id, "locks.blocking");
  EXPECT_EQ(open[0].state, AlertState::kFiring);
  EXPECT_EQ(open[1].check_id, "target.unreachable");
}

TEST_F(RuleEvaluatorTest, ClearRunInterruptedByFailedCollectionStartsOver) {
  RuleEvaluator ev(Rules(seconds(0), seconds(60)), clock_);
  (void)ev.Evaluate("db1", Report({Blocking(Severity::kWarning)}), true);
  clock_.Advance(seconds(10));
  (void)ev.Evaluate("db1", Clear(), true);  // clear since t+10
  clock_.Advance(seconds(40));
  (void)ev.Evaluate("db1", Clear(), false);  // no data at t+50
  clock_.Advance(seconds(30));
  auto c = ev.Evaluate("db1", Clear(), true);  // t+80: clear again, but only from now
  EXPECT_TRUE(c.notifications.empty());
  EXPECT_EQ(ev.OpenAlerts().size(), 1u);
  clock_.Advance(seconds(60));
  c = ev.Evaluate("db1", Clear(), true);
  EXPECT_EQ(Kinds(c), std::vector{AlertEventKind::kResolvedAuto});
}

TEST_F(RuleEvaluatorTest, ResolvesOnlyAfterClearForResolveAfter) {
  RuleEvaluator ev(Rules(seconds(0), seconds(60)), clock_);
  (void)ev.Evaluate("db1", Report({Blocking(Severity::kWarning)}), true);
  clock_.Advance(seconds(1));
  auto c = ev.Evaluate("db1", Clear(), true);
  EXPECT_TRUE(c.events.empty());
  ASSERT_EQ(c.alerts.size(), 1u) << "clear_since is a timer to persist";
  EXPECT_TRUE(c.alerts[0].clear_since.has_value());
  clock_.Advance(seconds(59));
  c = ev.Evaluate("db1", Clear(), true);
  EXPECT_TRUE(c.events.empty());
  clock_.Advance(seconds(1));
  c = ev.Evaluate("db1", Clear(), true);
  EXPECT_EQ(Kinds(c), std::vector{AlertEventKind::kResolvedAuto});
  ASSERT_EQ(c.notifications.size(), 1u);
  EXPECT_EQ(c.notifications[0].alert.state, AlertState::kResolved);
  EXPECT_TRUE(ev.OpenAlerts().empty());
}

TEST_F(RuleEvaluatorTest, ConditionReturningBeforeResolveAfterKeepsTheSameAlert) {
  RuleEvaluator ev(Rules(seconds(0), seconds(60)), clock_);
  (void)ev.Evaluate("db1", Report({Blocking(Severity::kWarning)}), true);
  clock_.Advance(seconds(30));
  (void)ev.Evaluate("db1", Clear(), true);
  clock_.Advance(seconds(30));
  auto c = ev.Evaluate("db1", Report({Blocking(Severity::kWarning)}), true);
  EXPECT_TRUE(c.events.empty());
  EXPECT_TRUE(c.notifications.empty());
  clock_.Advance(seconds(45));
  c = ev.Evaluate("db1", Clear(), true);
  EXPECT_TRUE(c.events.empty()) << "the clear run restarted when the condition came back";
  ASSERT_EQ(ev.OpenAlerts().size(), 1u);
  EXPECT_EQ(ev.OpenAlerts()[0].id, 1);
}

TEST_F(RuleEvaluatorTest, RenotifiesUnacknowledgedCriticalsAtTheInterval) {
  RuleEvaluator ev(Rules(seconds(0), seconds(60), minutes(10)), clock_);
  (void)ev.Evaluate("db1", Report({Blocking(Severity::kCritical)}), true);
  clock_.Advance(minutes(9));
  auto c = ev.Evaluate("db1", Report({Blocking(Severity::kCritical)}), true);
  EXPECT_TRUE(c.notifications.empty());
  clock_.Advance(minutes(1));
  c = ev.Evaluate("db1", Report({Blocking(Severity::kCritical)}), true);
  EXPECT_EQ(Kinds(c), std::vector{AlertEventKind::kRenotified});
  ASSERT_EQ(c.notifications.size(), 1u);
  EXPECT_EQ(c.notifications[0].kind, AlertEventKind::kRenotified);
  clock_.Advance(minutes(5));
  c = ev.Evaluate("db1", Report({Blocking(Severity::kCritical)}), true);
  EXPECT_TRUE(c.notifications.empty()) << "the interval counts from the last notification";
}

TEST_F(RuleEvaluatorTest, WarningsAndAcknowledgedAlertsAreNotRenotified) {
  RuleEvaluator ev(Rules(seconds(0), seconds(60), minutes(10)), clock_);
  (void)ev.Evaluate(
      "db1",
      Report({Blocking(Severity::kWarning, "pid 1"), Blocking(Severity::kCritical, "pid 2")}),
      true);
  ASSERT_TRUE(ev.Acknowledge(2, "alice", "on it").has_value());
  clock_.Advance(hours(1));
  auto c = ev.Evaluate(
      "db1",
      Report({Blocking(Severity::kWarning, "pid 1"), Blocking(Severity::kCritical, "pid 2")}),
      true);
  EXPECT_TRUE(c.notifications.empty());
}

TEST_F(RuleEvaluatorTest, SilenceSuppressesNotificationsButNotTransitions) {
  RuleEvaluator ev(Rules(seconds(0), seconds(0)), clock_);
  auto s = ev.Silence({"db1", "locks.*", "*"}, clock_.Now() + hours(1), "bob", "maintenance");
  ASSERT_TRUE(s.has_value());
  ASSERT_EQ(s->silences.size(), 1u);
  EXPECT_EQ(s->silences[0].id, 1);
  auto c = ev.Evaluate("db1", Report({Blocking(Severity::kCritical)}), true);
  EXPECT_EQ(Kinds(c), std::vector{AlertEventKind::kFired});
  EXPECT_TRUE(c.notifications.empty());
  clock_.Advance(seconds(1));
  c = ev.Evaluate("db1", Clear(), true);
  EXPECT_EQ(Kinds(c), std::vector{AlertEventKind::kResolvedAuto});
  EXPECT_TRUE(c.notifications.empty());
  // After the silence expires the same condition notifies again.
  clock_.Advance(hours(1));
  c = ev.Evaluate("db1", Report({Blocking(Severity::kCritical)}), true);
  EXPECT_EQ(c.notifications.size(), 1u);
}

TEST_F(RuleEvaluatorTest, SilencingAnOpenAlertRecordsAnEvent) {
  RuleEvaluator ev(Rules(seconds(0), seconds(0)), clock_);
  (void)ev.Evaluate("db1", Report({Blocking(Severity::kCritical)}), true);
  auto s = ev.SilenceAlert(1, clock_.Now() + hours(2), "bob", "known");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(Kinds(*s), std::vector{AlertEventKind::kSilenced});
  EXPECT_EQ(s->silences[0].object_pattern, "pid 42");
}

TEST_F(RuleEvaluatorTest, AcknowledgedAlertStillResolvesAutomatically) {
  RuleEvaluator ev(Rules(seconds(0), seconds(10)), clock_);
  (void)ev.Evaluate("db1", Report({Blocking(Severity::kCritical)}), true);
  auto ack = ev.Acknowledge(1, "alice", "looking");
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(Kinds(*ack), std::vector{AlertEventKind::kAcknowledged});
  EXPECT_TRUE(ack->notifications.empty());
  ASSERT_EQ(ack->alerts.size(), 1u);
  EXPECT_EQ(ack->alerts[0].state, AlertState::kAcknowledged);
  EXPECT_EQ(ack->alerts[0].acked_by, "alice");
  EXPECT_EQ(ack->events[0].actor, "alice");
  (void)ev.Evaluate("db1", Clear(), true);
  clock_.Advance(seconds(10));
  auto c = ev.Evaluate("db1", Clear(), true);
  EXPECT_EQ(Kinds(c), std::vector{AlertEventKind::kResolvedAuto});
}

TEST_F(RuleEvaluatorTest, EscalationReopensAnAcknowledgedAlert) {
  RuleEvaluator ev(Rules(seconds(0), seconds(10)), clock_);
  (void)ev.Evaluate("db1", Report({Blocking(Severity::kWarning)}), true);
  ASSERT_TRUE(ev.Acknowledge(1, "alice", "").has_value());
  auto c = ev.Evaluate("db1", Report({Blocking(Severity::kCritical)}), true);
  EXPECT_EQ(Kinds(c), std::vector{AlertEventKind::kEscalated});
  EXPECT_EQ(ev.OpenAlerts()[0].state, AlertState::kFiring);
}

TEST_F(RuleEvaluatorTest, InvalidManualTransitionsAreErrors) {
  RuleEvaluator ev(Rules(seconds(0), seconds(0)), clock_);
  EXPECT_EQ(ev.Acknowledge(1, "a", "").status().code(), common::StatusCode::kNotFound);
  (void)ev.Evaluate("db1", Report({Blocking(Severity::kCritical)}), true);
  ASSERT_TRUE(ev.Acknowledge(1, "a", "").has_value());
  EXPECT_EQ(ev.Acknowledge(1, "b", "").status().code(), common::StatusCode::kInvalidArgument);
  auto r = ev.Resolve(1, "a", "fixed by hand");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(Kinds(*r), std::vector{AlertEventKind::kResolvedManual});
  EXPECT_EQ(r->notifications.size(), 1u);
  EXPECT_EQ(ev.Acknowledge(1, "a", "").status().code(), common::StatusCode::kInvalidArgument);
  EXPECT_EQ(ev.Resolve(1, "a", "").status().code(), common::StatusCode::kInvalidArgument);
  EXPECT_EQ(ev.Resolve(7, "a", "").status().code(), common::StatusCode::kNotFound);
  EXPECT_EQ(ev.Silence({}, clock_.Now(), "a", "").status().code(),
            common::StatusCode::kInvalidArgument);
}

TEST_F(RuleEvaluatorTest, OneAlertPerKeyAndNewIdAfterResolve) {
  RuleEvaluator ev(Rules(seconds(0), seconds(0)), clock_);
  auto c = ev.Evaluate("db1", Report({Blocking(Severity::kWarning), Blocking(Severity::kCritical)}),
                       true);
  ASSERT_EQ(c.alerts.size(), 1u) << "the worst finding of a key makes one alert";
  EXPECT_EQ(c.alerts[0].severity, Severity::kCritical);
  ASSERT_TRUE(ev.Resolve(1, "a", "").has_value());
  c = ev.Evaluate("db1", Report({Blocking(Severity::kCritical)}), true);
  ASSERT_EQ(c.alerts.size(), 1u);
  EXPECT_EQ(c.alerts[0].id, 2);
}

TEST_F(RuleEvaluatorTest, RulesSelectAndOverride) {
  RuleSettings d;
  d.for_duration = seconds(0);
  Rule off;
  off.check_pattern = "locks.*";
  off.object_pattern = "pid 1";
  off.enabled = false;
  Rule crit_only;
  crit_only.target_pattern = "db*";
  crit_only.check_pattern = "index.*";
  crit_only.min_severity = Severity::kCritical;
  RuleEvaluator ev(RuleSet({off, crit_only}, d), clock_);
  model::Finding idx = Blocking(Severity::kWarning, "app.public.i");
  idx.id = "index.unused";
  model::Finding info = Blocking(Severity::kInfo, "pid 3");
  auto c = ev.Evaluate("db1",
                       Report({Blocking(Severity::kCritical, "pid 1"),
                               Blocking(Severity::kWarning, "pid 2"), idx, info}),
                       true);
  ASSERT_EQ(c.alerts.size(), 1u);
  EXPECT_EQ(c.alerts[0].object, "pid 2");
}

TEST_F(RuleEvaluatorTest, RestoredStateContinuesTimersAndIds) {
  RuleEvaluator ev(Rules(seconds(30), seconds(60)), clock_);
  auto c = ev.Evaluate("db1", Report({Blocking(Severity::kWarning)}), true);
  model::PersistedAlertState state;
  state.pending = c.pending;
  state.max_alert_id = 4;
  RuleEvaluator restarted(Rules(seconds(30), seconds(60)), clock_);
  restarted.Restore(state);
  clock_.Advance(seconds(30));
  c = restarted.Evaluate("db1", Report({Blocking(Severity::kWarning)}), true);
  ASSERT_EQ(Kinds(c), std::vector{AlertEventKind::kFired}) << "the `for` timer survived";
  EXPECT_EQ(c.alerts[0].id, 5);
}

TEST(GlobMatch, MatchesStarsAndQuestionMarks) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("locks.*", "locks.blocking"));
  EXPECT_TRUE(GlobMatch("db?", "db1"));
  EXPECT_FALSE(GlobMatch("db?", "db12"));
  EXPECT_FALSE(GlobMatch("index.*", "locks.blocking"));
}

}  // namespace
}  // namespace pgvigil::alerts
