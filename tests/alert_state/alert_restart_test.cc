// SPDX-License-Identifier: Apache-2.0
// The evaluator's state survives a restart: every step is committed to the store, and a new
// evaluator restored from LoadState carries on (pending `for` timers, acks, silences, ids).
#include <gtest/gtest.h>

#include <filesystem>

#include "alerts/rule_evaluator.h"
#include "model/health_report.h"
#include "store/alert_store.h"

namespace pgvigil {
namespace {

using model::AlertEventKind;
using model::AlertState;
using model::Severity;
using std::chrono::hours;
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

model::HealthReport Report(bool blocking) {
  model::HealthReport r;
  r.target = "db1";
  if (blocking) {
    model::Finding f;
    f.id = "locks.blocking";
    f.severity = Severity::kCritical;
    f.object = "pid 42";
    f.message = "pid 42 blocks 3 backends";
    r.findings.push_back(f);
  }
  return r;
}

alerts::RuleSet Rules() {
  alerts::RuleSettings d;
  d.for_duration = seconds(30);
  d.resolve_after = seconds(60);
  d.renotify_interval = hours(1);
  return alerts::RuleSet({}, d);
}

// One outbox row per notification, as the daemon's routing will make them.
std::vector<store::OutboxRow> Outbox(const model::AlertChanges& c, common::Timestamp now) {
  std::vector<store::OutboxRow> rows;
  for (const auto& n : c.notifications) {
    store::OutboxRow r;
    r.alert_id = n.alert.id;
    r.channel = "webhook";
    r.dedup_key = n.alert.DedupKey() + "#" + std::string(model::AlertEventKindName(n.kind));
    r.payload_json = "{}";
    r.created_at = now;
    r.next_attempt_at = now;
    r.expires_at = now + hours(24);
    rows.push_back(r);
  }
  return rows;
}

class AlertRestartTest : public ::testing::Test {
 protected:
  AlertRestartTest() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::path(::testing::TempDir()) /
           (std::string("pgvigil_alert_state_") + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~AlertRestartTest() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // A "process": a store opened on the file and an evaluator restored from it.
  struct Process {
    std::unique_ptr<store::SqliteAlertStore> store;
    std::unique_ptr<alerts::RuleEvaluator> evaluator;
  };
  Process Start() {
    auto store = store::SqliteAlertStore::Open((dir_ / "h.db").string(), clock_);
    EXPECT_TRUE(store.has_value()) << store.error().ToString();
    auto state = (*store)->LoadState(clock_.Now());
    EXPECT_TRUE(state.has_value()) << state.error().ToString();
    auto ev = std::make_unique<alerts::RuleEvaluator>(Rules(), clock_);
    ev->Restore(*state);
    return {std::move(*store), std::move(ev)};
  }
  model::AlertChanges Step(Process& p, bool blocking, bool ok = true) {
    model::AlertChanges c = p.evaluator->Evaluate("db1", Report(blocking), ok);
    EXPECT_TRUE(p.store->Commit(c, Outbox(c, clock_.Now())).ok());
    return c;
  }

  FakeClock clock_;
  std::filesystem::path dir_;
};

TEST_F(AlertRestartTest, PendingTimerAckAndSilenceSurviveRestarts) {
  {
    Process p = Start();
    EXPECT_TRUE(Step(p, true).events.empty());  // pending since t0
  }
  clock_.Advance(seconds(30));
  {
    Process p = Start();
    auto c = Step(p, true);
    ASSERT_EQ(c.events.size(), 1u) << "the `for` timer counted across the restart";
    EXPECT_EQ(c.events[0].kind, AlertEventKind::kFired);
    ASSERT_TRUE(p.store->Commit(*p.evaluator->Acknowledge(1, "alice", "on it"), {}).ok());
    ASSERT_TRUE(
        p.store
            ->Commit(*p.evaluator->Silence({"db1", "*", "*"}, clock_.Now() + hours(3), "bob", ""),
                     {})
            .ok());
  }
  clock_.Advance(hours(2));
  {
    Process p = Start();
    auto c = Step(p, true);
    EXPECT_TRUE(c.events.empty()) << "no second alert, no renotify of an acknowledged alert";
    EXPECT_TRUE(c.notifications.empty());
    auto open = p.evaluator->OpenAlerts();
    ASSERT_EQ(open.size(), 1u);
    EXPECT_EQ(open[0].state, AlertState::kAcknowledged);
    EXPECT_EQ(open[0].acked_by, "alice");
    (void)Step(p, false);  // clear run starts
  }
  clock_.Advance(seconds(60));
  {
    Process p = Start();
    auto c = Step(p, false);
    ASSERT_EQ(c.events.size(), 1u) << "the clear timer counted across the restart";
    EXPECT_EQ(c.events[0].kind, AlertEventKind::kResolvedAuto);
    EXPECT_TRUE(c.notifications.empty()) << "still silenced";
    auto alert = p.store->GetAlert(1);
    ASSERT_TRUE(alert.has_value());
    EXPECT_EQ(alert->state, AlertState::kResolved);
    auto events = p.store->Events(1);
    ASSERT_TRUE(events.has_value());
    std::vector<AlertEventKind> kinds;
    for (const auto& e : *events) kinds.push_back(e.kind);
    EXPECT_EQ(kinds, (std::vector{AlertEventKind::kFired, AlertEventKind::kAcknowledged,
                                  AlertEventKind::kSilenced, AlertEventKind::kResolvedAuto}));
    EXPECT_EQ(p.evaluator->Acknowledge(1, "x", "").status().code(),
              common::StatusCode::kInvalidArgument);
  }
}

TEST_F(AlertRestartTest, CommittedNotificationIsDueAfterACrashAndTheAlertIsNotRepeated) {
  {
    Process p = Start();
    clock_.Advance(seconds(0));
    (void)Step(p, true);
    clock_.Advance(seconds(30));
    auto c = Step(p, true);
    ASSERT_EQ(c.notifications.size(), 1u);
    // The process dies here: committed, never sent.
  }
  clock_.Advance(seconds(5));
  Process p = Start();
  auto due = p.store->DueOutbox(clock_.Now(), 10);
  ASSERT_TRUE(due.has_value());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].dedup_key, "db1|locks.blocking|pid 42#fired");
  auto c = Step(p, true);
  EXPECT_TRUE(c.events.empty());
  EXPECT_TRUE(c.notifications.empty());
  auto all = p.store->ListAlerts({});
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->size(), 1u);
}

TEST_F(AlertRestartTest, FailedCollectionsAcrossARestartKeepTheAlertFiring) {
  {
    Process p = Start();
    (void)Step(p, true);
    clock_.Advance(seconds(30));
    ASSERT_EQ(Step(p, true).events.size(), 1u);
    clock_.Advance(seconds(10));
    (void)Step(p, false, /*ok=*/false);
  }
  clock_.Advance(hours(1) - seconds(10));
  Process p = Start();
  auto c = Step(p, false, /*ok=*/false);
  for (const auto& e : c.events) EXPECT_NE(e.kind, AlertEventKind::kResolvedAuto);
  ASSERT_EQ(c.notifications.size(), 1u) << "a critical still firing is renotified";
  EXPECT_EQ(c.notifications[0].kind, AlertEventKind::kRenotified);
  auto alert = p.store->GetAlert(1);
  ASSERT_TRUE(alert.has_value());
  EXPECT_EQ(alert->state, AlertState::kFiring);
}

}  // namespace
}  // namespace pgvigil
