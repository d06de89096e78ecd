// SPDX-License-Identifier: Apache-2.0
#include "analysis/metric_series.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

using common::TimestampFromEpochSeconds;

model::DatabaseStats Db(std::int64_t commits, std::int64_t rollbacks, std::int64_t hit,
                        std::int64_t read) {
  model::DatabaseStats d;
  d.datid = 5;
  d.datname = "app";
  d.xact_commit = commits;
  d.xact_rollback = rollbacks;
  d.blks_hit = hit;
  d.blks_read = read;
  return d;
}

model::StatementStats Stmt(std::int64_t queryid, std::int64_t calls, double total_ms) {
  model::StatementStats s;
  s.userid = 10;
  s.dbid = 5;
  s.queryid = queryid;
  s.toplevel = true;
  s.calls = calls;
  s.total_exec_time = total_ms;
  return s;
}

model::Backend Client(std::string state, std::optional<double> xact_age = std::nullopt) {
  model::Backend b;
  b.backend_type = "client backend";
  b.state = std::move(state);
  b.xact_age_seconds = xact_age;
  return b;
}

model::Snapshot Sample(double at) {
  model::Snapshot s;
  s.target = "db1";
  s.collected_at = TimestampFromEpochSeconds(at);
  s.server.postmaster_start_time = TimestampFromEpochSeconds(100);
  s.outcomes = {testing::OkOutcome("stat_database"), testing::OkOutcome("stat_statements"),
                testing::OkOutcome("stat_activity"), testing::OkOutcome("storage")};
  return s;
}

// The value of `metric` (with exactly `labels`), or empty when it was not derived.
std::optional<double> Find(const std::vector<model::MetricPoint>& points, std::string_view metric,
                           const model::MetricLabels& labels = {}) {
  std::optional<double> out;
  for (const model::MetricPoint& p : points) {
    if (p.metric == metric && p.labels == labels) {
      EXPECT_FALSE(out.has_value()) << "two points for " << metric;
      out = p.value;
    }
  }
  return out;
}

struct Pair {
  model::Snapshot before = Sample(1000);
  model::Snapshot now = Sample(1015);
  Pair() {
    before.databases = {Db(1000, 10, 900, 100)};
    now.databases = {Db(1150, 40, 1800, 200)};
    before.databases[0].temp_bytes = 0;
    now.databases[0].temp_bytes = 15 * 4096;
    now.databases[0].deadlocks = 3;
    before.statements = {Stmt(1, 100, 1000), Stmt(2, 50, 500)};
    now.statements = {Stmt(1, 300, 3000), Stmt(2, 150, 1500)};
    now.activity = {Client("active"), Client("idle"), Client("idle in transaction", 42.5),
                    Client("idle")};
    model::Backend own = Client("active", 999);
    own.application_name = "pgvigil";
    now.activity.push_back(own);
    now.database_sizes = {{"app", 123456}};
  }
};

TEST(DeriveMetricPoints, RatesOverTheIntervalAndGauges) {
  const Pair p;
  const auto points = DeriveMetricPoints(p.now, &p.before);
  const model::MetricLabels app = {{"datname", "app"}};
  EXPECT_DOUBLE_EQ(*Find(points, "pgvigil_database_xact_per_second", app), (150.0 + 30) / 15);
  EXPECT_DOUBLE_EQ(*Find(points, "pgvigil_database_cache_hit_ratio", app), 0.9);
  EXPECT_DOUBLE_EQ(*Find(points, "pgvigil_database_temp_bytes_per_second", app), 4096);
  EXPECT_DOUBLE_EQ(*Find(points, "pgvigil_database_deadlocks_per_second", app), 0.2);
  EXPECT_DOUBLE_EQ(*Find(points, "pgvigil_statements_calls_per_second"), 300.0 / 15);
  EXPECT_DOUBLE_EQ(*Find(points, "pgvigil_statements_mean_exec_time_seconds"), 0.010);
  EXPECT_EQ(Find(points, "pgvigil_connections", {{"state", "idle"}}), 2);
  EXPECT_EQ(Find(points, "pgvigil_connections", {{"state", "active"}}), 1);  // not pgvigil's
  EXPECT_EQ(Find(points, "pgvigil_activity_longest_transaction_seconds"), 42.5);
  EXPECT_EQ(Find(points, "pgvigil_database_size_bytes", app), 123456);
  // Not collected: no lock or dead-tuple points.
  EXPECT_FALSE(Find(points, "pgvigil_locks_waiting"));
  EXPECT_FALSE(Find(points, "pgvigil_tables_dead_tuples", app));
  for (const model::MetricPoint& m : points) {
    EXPECT_EQ(m.target, "db1");
    EXPECT_EQ(m.timestamp, p.now.collected_at);
  }
}

TEST(DeriveMetricPoints, WithoutAPreviousSampleOnlyGauges) {
  const Pair p;
  const auto points = DeriveMetricPoints(p.now, nullptr);
  EXPECT_FALSE(Find(points, "pgvigil_database_xact_per_second", {{"datname", "app"}}));
  EXPECT_FALSE(Find(points, "pgvigil_statements_calls_per_second"));
  EXPECT_TRUE(Find(points, "pgvigil_connections", {{"state", "idle"}}));
}

TEST(DeriveMetricPoints, AResetSkipsTheRatesOfThatSample) {
  const model::MetricLabels app = {{"datname", "app"}};
  {
    // pg_stat_reset(): stats_reset moved and the counters restarted.
    Pair p;
    p.now.databases[0] = Db(5, 0, 10, 1);
    p.now.databases[0].stats_reset = TimestampFromEpochSeconds(1010);
    const auto points = DeriveMetricPoints(p.now, &p.before);
    EXPECT_FALSE(Find(points, "pgvigil_database_xact_per_second", app));
    EXPECT_FALSE(Find(points, "pgvigil_database_cache_hit_ratio", app));
    EXPECT_TRUE(Find(points, "pgvigil_statements_calls_per_second"));  // its own counters
  }
  {
    // One counter went backwards without a visible reset: only the rates that use it go.
    Pair p;
    p.now.databases[0].xact_rollback = 5;
    const auto points = DeriveMetricPoints(p.now, &p.before);
    EXPECT_FALSE(Find(points, "pgvigil_database_xact_per_second", app));
    EXPECT_DOUBLE_EQ(*Find(points, "pgvigil_database_cache_hit_ratio", app), 0.9);
  }
  {
    // pg_stat_statements_reset(): the sum over the interval would be partial.
    Pair p;
    p.before.statements_info = model::StatementsInfo{0, TimestampFromEpochSeconds(10)};
    p.now.statements_info = model::StatementsInfo{0, TimestampFromEpochSeconds(1010)};
    p.now.statements = {Stmt(1, 20, 200)};
    const auto points = DeriveMetricPoints(p.now, &p.before);
    EXPECT_FALSE(Find(points, "pgvigil_statements_calls_per_second"));
    EXPECT_FALSE(Find(points, "pgvigil_statements_mean_exec_time_seconds"));
  }
  {
    // A restart resets every counter: no rate at all, gauges still.
    Pair p;
    p.now.server.postmaster_start_time = TimestampFromEpochSeconds(1005);
    const auto points = DeriveMetricPoints(p.now, &p.before);
    EXPECT_FALSE(Find(points, "pgvigil_database_xact_per_second", app));
    EXPECT_FALSE(Find(points, "pgvigil_statements_calls_per_second"));
    EXPECT_EQ(Find(points, "pgvigil_database_size_bytes", app), 123456);
  }
}

TEST(DeriveMetricPoints, ReplicationLocksAndDeadTuples) {
  model::Snapshot s = Sample(1000);
  s.outcomes = {testing::OkOutcome("replication"), testing::OkOutcome("locks"),
                testing::OkOutcome("stat_user_tables")};
  model::ReplicationConnection r;
  r.application_name = "standby1";
  r.replay_lag_seconds = 2.5;
  r.replay_lag_bytes = 8192;
  s.replication = {r};
  model::ReplicationSlot slot;
  slot.slot_name = "s1";
  slot.retained_wal_bytes = 1 << 20;
  s.replication_slots = {slot};
  s.lock_waits.resize(2);
  model::TableStats t1;
  t1.datname = "app";
  t1.n_dead_tup = 10;
  model::TableStats t2 = t1;
  t2.n_dead_tup = 5;
  s.tables = {t1, t2};
  const auto points = DeriveMetricPoints(s, nullptr);
  EXPECT_EQ(Find(points, "pgvigil_replication_lag_seconds", {{"application_name", "standby1"}}),
            2.5);
  EXPECT_EQ(Find(points, "pgvigil_replication_lag_bytes", {{"application_name", "standby1"}}),
            8192);
  EXPECT_EQ(Find(points, "pgvigil_replication_slot_retained_wal_bytes", {{"slot_name", "s1"}}),
            1 << 20);
  EXPECT_EQ(Find(points, "pgvigil_locks_waiting"), 2);
  EXPECT_EQ(Find(points, "pgvigil_tables_dead_tuples", {{"datname", "app"}}), 15);
}

}  // namespace
}  // namespace pgvigil::analysis
