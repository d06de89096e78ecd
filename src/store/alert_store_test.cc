// SPDX-License-Identifier: Apache-2.0
#include "store/alert_store.h"

#include <gtest/gtest.h>

#include "store/migrations.h"
#include "store/sqlite_history_store.h"
#include "store/store_test_support.h"

namespace pgvigil::store {
namespace {

using model::AlertEventKind;
using model::AlertState;
using model::Severity;
using testing::At;
using testing::TempDir;

model::Alert FiringAlert(std::int64_t id, std::string object, double t) {
  model::Alert a;
  a.id = id;
  a.target = "db1";
  a.check_id = "locks.blocking";
  a.object = std::move(object);
  a.severity = Severity::kCritical;
  a.state = AlertState::kFiring;
  a.first_fired_at = At(t);
  a.last_changed_at = At(t);
  a.value = 12.5;
  a.unit = "seconds";
  a.message = "pid 42 blocks 3 backends";
  a.recommendation = "SELECT pg_terminate_backend(42)";
  a.last_notified_at = At(t);
  return a;
}

model::AlertChanges Fired(const model::Alert& a) {
  model::AlertChanges c;
  c.alerts.push_back(a);
  c.events.push_back(
      {0, a.id, a.first_fired_at, AlertEventKind::kFired, "pgvigil", "", a.severity});
  c.notifications.push_back({AlertEventKind::kFired, a, a.first_fired_at});
  return c;
}

OutboxRow Row(std::int64_t alert_id, std::string channel, double t) {
  OutboxRow r;
  r.alert_id = alert_id;
  r.channel = std::move(channel);
  r.dedup_key = "pgvigil-" + std::to_string(alert_id) + "-firing";
  r.payload_json = R"({"kind":"firing"})";
  r.created_at = At(t);
  r.next_attempt_at = At(t);
  r.expires_at = At(t + 86400);
  return r;
}

std::int64_t Count(const std::string& path, const std::string& sql) {
  auto db = SqliteDb::Open(path);
  EXPECT_TRUE(db.has_value());
  auto q = db->Prepare(sql);
  EXPECT_TRUE(q.has_value()) << q.error().ToString();
  auto row = q->Step();
  EXPECT_TRUE(row.has_value() && *row);
  return q->ColumnInt64(0);
}

TEST(SqliteAlertStore, CommitsTransitionEventAndOutboxInOneTransaction) {
  TempDir dir;
  const std::string path = dir.File("h.db");
  auto store = SqliteAlertStore::Open(path);
  ASSERT_TRUE(store.has_value()) << store.error().ToString();
  const model::Alert a = FiringAlert(1, "pid 42", 1000);
  const std::vector<OutboxRow> rows = {Row(1, "slack", 1000), Row(1, "webhook", 1000)};
  ASSERT_TRUE((*store)->Commit(Fired(a), rows).ok());
  EXPECT_EQ(Count(path, "SELECT count(*) FROM alerts"), 1);
  EXPECT_EQ(Count(path, "SELECT count(*) FROM alert_events"), 1);
  EXPECT_EQ(Count(path, "SELECT count(*) FROM outbox"), 2);

  // A change whose last part fails (an outbox row for an alert that does not exist) leaves
  // nothing behind: not the alert, not its event, not the first outbox row.
  const model::Alert b = FiringAlert(2, "pid 43", 1001);
  const std::vector<OutboxRow> bad = {Row(2, "slack", 1001), Row(99, "slack", 1001)};
  const common::Status st = (*store)->Commit(Fired(b), bad);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(Count(path, "SELECT count(*) FROM alerts"), 1);
  EXPECT_EQ(Count(path, "SELECT count(*) FROM alert_events"), 1);
  EXPECT_EQ(Count(path, "SELECT count(*) FROM outbox"), 2);
}

TEST(SqliteAlertStore, RefusesASecondOpenAlertForTheSameKey) {
  TempDir dir;
  auto store = SqliteAlertStore::Open(dir.File("h.db"));
  ASSERT_TRUE(store.has_value());
  ASSERT_TRUE((*store)->Commit(Fired(FiringAlert(1, "pid 42", 1000)), {}).ok());
  EXPECT_FALSE((*store)->Commit(Fired(FiringAlert(2, "pid 42", 1001)), {}).ok());
  // Once the first is resolved, a new alert for the key is fine.
  model::Alert resolved = FiringAlert(1, "pid 42", 1000);
  resolved.state = AlertState::kResolved;
  resolved.resolved_at = At(1002);
  model::AlertChanges c;
  c.alerts.push_back(resolved);
  ASSERT_TRUE((*store)->Commit(c, {}).ok());
  EXPECT_TRUE((*store)->Commit(Fired(FiringAlert(2, "pid 42", 1003)), {}).ok());
}

TEST(SqliteAlertStore, ReloadAfterReopenGivesTheSameStateAndTimers) {
  TempDir dir;
  const std::string path = dir.File("h.db");
  model::Alert acked = FiringAlert(1, "pid 42", 1000);
  acked.state = AlertState::kAcknowledged;
  acked.acked_by = "alice";
  acked.acked_at = At(1010);
  acked.ack_note = "on it";
  acked.clear_since = At(1020);
  acked.lower_since = At(1015);
  model::Alert resolved = FiringAlert(2, "pid 7", 900);
  resolved.state = AlertState::kResolved;
  resolved.resolved_at = At(950);
  model::PendingCondition pending{"db1", "connection.utilization", "db1", Severity::kWarning,
                                  At(1030)};
  model::Silence live{3, "db1", "locks.*", "*", At(5000), At(1000), "bob", "deploy"};
  model::Silence expired{2, "*", "*", "*", At(1500), At(1000), "bob", ""};
  {
    auto store = SqliteAlertStore::Open(path);
    ASSERT_TRUE(store.has_value());
    model::AlertChanges c;
    c.alerts = {acked, resolved};
    c.silences = {expired, live};
    c.pending_target = "db1";
    c.pending = {pending};
    ASSERT_TRUE((*store)->Commit(c, {}).ok());
  }
  auto store = SqliteAlertStore::Open(path);
  ASSERT_TRUE(store.has_value());
  auto state = (*store)->LoadState(At(2000));
  ASSERT_TRUE(state.has_value()) << state.error().ToString();
  ASSERT_EQ(state->open_alerts.size(), 1u);
  const model::Alert& a = state->open_alerts[0];
  EXPECT_EQ(a.id, 1);
  EXPECT_EQ(a.state, AlertState::kAcknowledged);
  EXPECT_EQ(a.acked_by, "alice");
  EXPECT_EQ(a.acked_at, At(1010));
  EXPECT_EQ(a.ack_note, "on it");
  EXPECT_EQ(a.clear_since, At(1020));
  EXPECT_EQ(a.lower_since, At(1015));
  EXPECT_EQ(a.last_notified_at, At(1000));
  EXPECT_EQ(a.severity, Severity::kCritical);
  EXPECT_EQ(a.value, 12.5);
  EXPECT_EQ(a.recommendation, "SELECT pg_terminate_backend(42)");
  EXPECT_FALSE(a.resolved_at.has_value());
  ASSERT_EQ(state->pending.size(), 1u);
  EXPECT_EQ(state->pending[0], pending);
  ASSERT_EQ(state->silences.size(), 1u) << "the expired silence is not loaded";
  EXPECT_EQ(state->silences[0].id, 3);
  EXPECT_EQ(state->silences[0].check_pattern, "locks.*");
  EXPECT_EQ(state->silences[0].until, At(5000));
  EXPECT_EQ(state->max_alert_id, 2);
  EXPECT_EQ(state->max_silence_id, 3);
}

TEST(SqliteAlertStore, PendingTimersAreReplacedPerTarget) {
  TempDir dir;
  auto store = SqliteAlertStore::Open(dir.File("h.db"));
  ASSERT_TRUE(store.has_value());
  model::AlertChanges c;
  c.pending_target = "db1";
  c.pending = {{"db1", "a.b", "x", Severity::kWarning, At(1)},
               {"db1", "a.b", "y", Severity::kWarning, At(2)}};
  ASSERT_TRUE((*store)->Commit(c, {}).ok());
  c.pending_target = "db2";
  c.pending = {{"db2", "a.b", "x", Severity::kCritical, At(3)}};
  ASSERT_TRUE((*store)->Commit(c, {}).ok());
  c.pending_target = "db1";
  c.pending = {{"db1", "a.b", "y", Severity::kWarning, At(2)}};
  ASSERT_TRUE((*store)->Commit(c, {}).ok());
  auto state = (*store)->LoadState(At(10));
  ASSERT_TRUE(state.has_value());
  ASSERT_EQ(state->pending.size(), 2u);
  EXPECT_EQ(state->pending[0].DedupKey(), "db1|a.b|y");
  EXPECT_EQ(state->pending[1].DedupKey(), "db2|a.b|x");
}

TEST(SqliteAlertStore, ListsAlertsByStateSeverityAndTargetAndReadsEvents) {
  TempDir dir;
  auto store = SqliteAlertStore::Open(dir.File("h.db"));
  ASSERT_TRUE(store.has_value());
  model::Alert warn = FiringAlert(1, "pid 1", 1000);
  warn.severity = Severity::kWarning;
  model::Alert other = FiringAlert(2, "pid 2", 1001);
  other.target = "db2";
  ASSERT_TRUE((*store)->Commit(Fired(warn), {}).ok());
  ASSERT_TRUE((*store)->Commit(Fired(other), {}).ok());
  model::Alert acked = warn;
  acked.state = AlertState::kAcknowledged;
  model::AlertChanges c;
  c.alerts.push_back(acked);
  c.events.push_back(
      {0, 1, At(1005), AlertEventKind::kAcknowledged, "alice", "mine", acked.severity});
  ASSERT_TRUE((*store)->Commit(c, {}).ok());

  auto all = (*store)->ListAlerts({});
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, 2) << "newest first";
  AlertFilter f;
  f.state = AlertState::kAcknowledged;
  auto by_state = (*store)->ListAlerts(f);
  ASSERT_TRUE(by_state.has_value());
  ASSERT_EQ(by_state->size(), 1u);
  EXPECT_EQ((*by_state)[0].id, 1);
  AlertFilter g;
  g.severity = Severity::kCritical;
  g.target = "db2";
  auto by_sev = (*store)->ListAlerts(g);
  ASSERT_TRUE(by_sev.has_value());
  ASSERT_EQ(by_sev->size(), 1u);
  EXPECT_EQ((*by_sev)[0].target, "db2");
  g.target = "db1";
  EXPECT_TRUE((*store)->ListAlerts(g)->empty());

  auto one = (*store)->GetAlert(1);
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->state, AlertState::kAcknowledged);
  EXPECT_EQ((*store)->GetAlert(7).status().code(), common::StatusCode::kNotFound);

  auto events = (*store)->Events(1);
  ASSERT_TRUE(events.has_value());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].kind, AlertEventKind::kFired);
  EXPECT_EQ((*events)[1].kind, AlertEventKind::kAcknowledged);
  EXPECT_EQ((*events)[1].actor, "alice");
  EXPECT_EQ((*events)[1].note, "mine");
  EXPECT_EQ((*events)[1].at, At(1005));
}

TEST(SqliteAlertStore, OutboxRowsComeDueAndAreMarked) {
  TempDir dir;
  auto store = SqliteAlertStore::Open(dir.File("h.db"));
  ASSERT_TRUE(store.has_value());
  OutboxRow later = Row(1, "email", 1000);
  later.next_attempt_at = At(1100);
  ASSERT_TRUE((*store)
                  ->Commit(Fired(FiringAlert(1, "pid 42", 1000)),
                           std::vector{Row(1, "slack", 1000), Row(1, "webhook", 1000), later})
                  .ok());
  auto due = (*store)->DueOutbox(At(1000), 10);
  ASSERT_TRUE(due.has_value());
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].channel, "slack");
  EXPECT_EQ((*due)[0].dedup_key, "pgvigil-1-firing");
  EXPECT_EQ((*due)[0].payload_json, R"({"kind":"firing"})");
  EXPECT_EQ((*due)[0].expires_at, At(87400));

  ASSERT_TRUE((*store)->MarkDelivered((*due)[0].id, 1, At(1001)).ok());
  ASSERT_TRUE((*store)->MarkFailed((*due)[1].id, 1, At(1050), "HTTP 503").ok());
  due = (*store)->DueOutbox(At(1049), 10);
  ASSERT_TRUE(due.has_value());
  EXPECT_TRUE(due->empty()) << "delivered is done; the failed one waits for its next attempt";
  due = (*store)->DueOutbox(At(1100), 10);
  ASSERT_TRUE(due.has_value());
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].channel, "webhook");
  EXPECT_EQ((*due)[0].attempts, 1);
  EXPECT_EQ((*due)[0].last_error, "HTTP 503");
  ASSERT_TRUE((*store)->MarkExpired((*due)[0].id, 5, "gave up", At(1100)).ok());
  due = (*store)->DueOutbox(At(2000), 10);
  ASSERT_TRUE(due.has_value());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].channel, "email");
  EXPECT_EQ((*store)->MarkDelivered(999, 1, At(1)).code(), common::StatusCode::kNotFound);
}

TEST(SqliteAlertStore, MigrationAppliesOnAnExisting0001Database) {
  TempDir dir;
  const std::string path = dir.File("h.db");
  {
    auto db = SqliteDb::Open(path);
    ASSERT_TRUE(db.has_value());
    ASSERT_GE(BuiltinMigrations().size(), 2u);
    auto applied = ApplyMigrations(*db, BuiltinMigrations().subspan(0, 1), At(1));
    ASSERT_TRUE(applied.has_value()) << applied.error().ToString();
    ASSERT_TRUE(db->Exec("INSERT INTO targets (name) VALUES ('db1')").ok());
  }
  auto store = SqliteAlertStore::Open(path);
  ASSERT_TRUE(store.has_value()) << store.error().ToString();
  EXPECT_EQ(Count(path, "SELECT max(version) FROM schema_migrations"),
            static_cast<std::int64_t>(BuiltinMigrations().size()));
  EXPECT_EQ(Count(path, "SELECT count(*) FROM targets"), 1) << "history data is kept";
  EXPECT_TRUE((*store)->Commit(Fired(FiringAlert(1, "pid 42", 1000)), {}).ok());
  // The history store opens the same file beside it.
  auto history = SqliteHistoryStore::Open(path);
  EXPECT_TRUE(history.has_value()) << history.error().ToString();
}

}  // namespace
}  // namespace pgvigil::store
