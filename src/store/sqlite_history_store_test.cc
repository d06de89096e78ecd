// SPDX-License-Identifier: Apache-2.0
#include "store/sqlite_history_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "store/migrations.h"
#include "store/store_test_support.h"

namespace pgvigil::store {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::At;

constexpr double kT0 = 1'800'000'000;  // 2027-01-15T08:00:00Z, a multiple of one hour

model::MetricPoint Point(std::string metric, model::MetricLabels labels, double at, double value,
                         std::string target = "db1") {
  return {std::move(target), std::move(metric), std::move(labels), At(at), value};
}

struct StoreFixture {
  testing::TempDir dir;
  testing::FakeClock clock{At(kT0)};
  std::unique_ptr<SqliteHistoryStore> store;

  explicit StoreFixture(SqliteStoreOptions options = {}) {
    options.clock = &clock;
    auto opened = SqliteHistoryStore::Open(dir.File("history.db"), options);
    EXPECT_TRUE(opened.has_value()) << opened.error().ToString();
    if (opened.has_value()) store = std::move(*opened);
  }

  std::vector<SeriesPoint> Query(std::string metric, double from, double to,
                                 std::chrono::microseconds step, Aggregation a,
                                 model::MetricLabels labels = {}, Resolution* used = nullptr) {
    SeriesQuery q{"db1", std::move(metric), std::move(labels), At(from), At(to), step, a};
    auto r = store->QuerySeries(q);
    EXPECT_TRUE(r.has_value()) << r.error().ToString();
    if (!r.has_value() || r->series.empty()) return {};
    if (used != nullptr) *used = r->resolution;
    EXPECT_EQ(r->series.size(), 1u);
    return r->series[0].points;
  }
};

TEST(SqliteHistoryStore, SeriesRoundTripWithEachAggregation) {
  StoreFixture f;
  // Two one-minute buckets: 1, 2, 3 then 10, 20.
  std::vector<model::MetricPoint> points = {
      Point("m", {}, kT0 + 0, 1), Point("m", {}, kT0 + 20, 3), Point("m", {}, kT0 + 40, 2),
      Point("m", {}, kT0 + 60, 10), Point("m", {}, kT0 + 90, 20)};
  ASSERT_TRUE(f.store->AppendPoints(points).ok());
  const auto q = [&](Aggregation a) { return f.Query("m", kT0, kT0 + 120, minutes(1), a); };
  EXPECT_EQ(q(Aggregation::kAvg), (std::vector<SeriesPoint>{{At(kT0), 2.0}, {At(kT0 + 60), 15.0}}));
  EXPECT_EQ(q(Aggregation::kMin), (std::vector<SeriesPoint>{{At(kT0), 1}, {At(kT0 + 60), 10}}));
  EXPECT_EQ(q(Aggregation::kMax), (std::vector<SeriesPoint>{{At(kT0), 3}, {At(kT0 + 60), 20}}));
  EXPECT_EQ(q(Aggregation::kLast), (std::vector<SeriesPoint>{{At(kT0), 2}, {At(kT0 + 60), 20}}));
  EXPECT_EQ(q(Aggregation::kSum), (std::vector<SeriesPoint>{{At(kT0), 6}, {At(kT0 + 60), 30}}));
  // The range is [from, to): the point at kT0 + 60 is left out of a range ending there.
  EXPECT_EQ(f.Query("m", kT0, kT0 + 60, seconds(30), Aggregation::kSum),
            (std::vector<SeriesPoint>{{At(kT0), 4}, {At(kT0 + 30), 2}}));
}

TEST(SqliteHistoryStore, AppendingAtTheSameTimestampReplacesThePoint) {
  StoreFixture f;
  ASSERT_TRUE(f.store->AppendPoints(std::vector{Point("m", {}, kT0, 1)}).ok());
  ASSERT_TRUE(f.store->AppendPoints(std::vector{Point("m", {}, kT0, 5)}).ok());
  EXPECT_EQ(f.Query("m", kT0, kT0 + 1, seconds(1), Aggregation::kSum),
            (std::vector<SeriesPoint>{{At(kT0), 5}}));
}

TEST(SqliteHistoryStore, LabelsSelectSeriesAndListMetricsNamesThem) {
  StoreFixture f;
  ASSERT_TRUE(f.store
                  ->AppendPoints(std::vector{
                      Point("conn", {{"state", "idle"}, {"datname", "app"}}, kT0, 3),
                      Point("conn", {{"datname", "app"}, {"state", "active"}}, kT0, 1),
                      Point("size", {{"datname", "app"}}, kT0, 100),
                      Point("size", {}, kT0, 1, "db2"),
                  })
                  .ok());
  auto all = f.store->QuerySeries(
      {"db1", "conn", {}, At(kT0), At(kT0 + 1), seconds(1), Aggregation::kAvg});
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->series.size(), 2u);
  const model::MetricLabels active = {{"datname", "app"}, {"state", "active"}};
  EXPECT_EQ(all->series[0].labels, active);
  EXPECT_EQ(f.Query("conn", kT0, kT0 + 1, seconds(1), Aggregation::kAvg, {{"state", "idle"}}),
            (std::vector<SeriesPoint>{{At(kT0), 3}}));
  auto metrics = f.store->ListMetrics("db1");
  ASSERT_TRUE(metrics.has_value());
  ASSERT_EQ(metrics->size(), 3u);
  EXPECT_EQ((*metrics)[2].metric, "size");
  EXPECT_EQ((*metrics)[2].labels, (model::MetricLabels{{"datname", "app"}}));
  EXPECT_EQ(f.store->ListMetrics("db2")->size(), 1u);
  EXPECT_TRUE(f.store->ListMetrics("nobody")->empty());
}

TEST(SqliteHistoryStore, RejectsAnEmptyRangeOrAZeroStep) {
  StoreFixture f;
  EXPECT_EQ(f.store->QuerySeries({"db1", "m", {}, At(kT0), At(kT0), seconds(1), {}}).error().code(),
            common::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      f.store->QuerySeries({"db1", "m", {}, At(kT0), At(kT0 + 1), seconds(0), {}}).error().code(),
      common::StatusCode::kInvalidArgument);
}

TEST(SqliteHistoryStore, ResolutionFollowsTheStepAndTheAgeOfTheRange) {
  const SqliteStoreOptions o;
  const auto now = At(kT0);
  EXPECT_EQ(ChooseResolution(At(kT0 - 3600), seconds(10), now, o), Resolution::kRaw);
  EXPECT_EQ(ChooseResolution(At(kT0 - 3600), minutes(5), now, o), Resolution::kFiveMinutes);
  EXPECT_EQ(ChooseResolution(At(kT0 - 3600), hours(1), now, o), Resolution::kHourly);
  // Older than the raw retention (2 days): raw points are gone.
  EXPECT_EQ(ChooseResolution(At(kT0 - 3 * 86400), seconds(10), now, o), Resolution::kFiveMinutes);
  EXPECT_EQ(ChooseResolution(At(kT0 - 40 * 86400), seconds(10), now, o), Resolution::kHourly);
}

// Ten hours of one point a minute, value = minute index.
std::vector<model::MetricPoint> TenHours() {
  std::vector<model::MetricPoint> points;
  for (int i = 0; i < 600; ++i) points.push_back(Point("m", {}, kT0 + 60.0 * i, i));
  return points;
}

TEST(SqliteHistoryStore, RollUpsAnswerLikeTheRawPointsTheyReplace) {
  SqliteStoreOptions o;
  o.rollup_window = hours(2);  // several transactions per series
  StoreFixture f(o);
  ASSERT_TRUE(f.store->AppendPoints(TenHours()).ok());
  // Before compaction a 5-minute query reads the raw points.
  Resolution used = Resolution::kRaw;
  const auto before = f.Query("m", kT0, kT0 + 36000, minutes(5), Aggregation::kAvg, {}, &used);
  EXPECT_EQ(used, Resolution::kFiveMinutes);
  ASSERT_EQ(before.size(), 120u);
  EXPECT_DOUBLE_EQ(before[0].value, 2.0);  // minutes 0..4
  const Aggregation all[] = {Aggregation::kAvg, Aggregation::kMin, Aggregation::kMax,
                             Aggregation::kLast, Aggregation::kSum};
  std::map<Aggregation, std::vector<SeriesPoint>> from_raw;
  for (Aggregation a : all) from_raw[a] = f.Query("m", kT0, kT0 + 36000, minutes(10), a);

  auto stats = f.store->Compact(At(kT0 + 36000));
  ASSERT_TRUE(stats.has_value()) << stats.error().ToString();
  EXPECT_EQ(stats->rolled_up_5m, 120);
  EXPECT_EQ(stats->rolled_up_1h, 10);
  EXPECT_GE(stats->transactions, 5 + 5);
  EXPECT_EQ(stats->deleted_points, 0);
  for (Aggregation a : all) {
    EXPECT_EQ(f.Query("m", kT0, kT0 + 36000, minutes(10), a), from_raw[a]) << static_cast<int>(a);
  }
  const auto hourly = f.Query("m", kT0, kT0 + 36000, hours(1), Aggregation::kMax, {}, &used);
  EXPECT_EQ(used, Resolution::kHourly);
  ASSERT_EQ(hourly.size(), 10u);
  EXPECT_DOUBLE_EQ(hourly[0].value, 59);
  EXPECT_DOUBLE_EQ(hourly[9].value, 599);
  const auto hourly_avg = f.Query("m", kT0, kT0 + 36000, hours(1), Aggregation::kAvg);
  EXPECT_DOUBLE_EQ(hourly_avg[1].value, 89.5);  // minutes 60..119
  const auto hourly_last = f.Query("m", kT0, kT0 + 36000, hours(1), Aggregation::kLast);
  EXPECT_DOUBLE_EQ(hourly_last[1].value, 119);
  // Compacting again at the same moment has nothing left to do.
  auto again = f.store->Compact(At(kT0 + 36000));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->rolled_up_5m, 0);
  EXPECT_EQ(again->rolled_up_1h, 0);
}

TEST(SqliteHistoryStore, RetentionDeletesEachResolutionInBatches) {
  SqliteStoreOptions o;
  o.raw_retention = hours(2);
  o.five_minute_retention = hours(5);
  o.hourly_retention = hours(8);
  o.delete_batch_rows = 50;
  StoreFixture f(o);
  ASSERT_TRUE(f.store->AppendPoints(TenHours()).ok());
  const auto now = kT0 + 36000;
  f.clock.Set(At(now));
  auto stats = f.store->Compact(At(now));
  ASSERT_TRUE(stats.has_value()) << stats.error().ToString();
  // Raw: 8 of 10 hours (480 points) go, in batches of at most 50.
  // 5-minute: 5 of 10 hours (60 rows); hourly: 2 of 10.
  EXPECT_EQ(stats->deleted_points, 480 + 60 + 2);
  EXPECT_GE(stats->transactions, 480 / 50);

  // The last two hours are still raw; older ones only as roll-ups.
  Resolution used = Resolution::kHourly;
  auto raw = f.Query("m", now - 3600, now, minutes(1), Aggregation::kAvg, {}, &used);
  EXPECT_EQ(used, Resolution::kRaw);
  EXPECT_EQ(raw.size(), 60u);
  auto five = f.Query("m", now - 4 * 3600, now, minutes(5), Aggregation::kAvg, {}, &used);
  EXPECT_EQ(used, Resolution::kFiveMinutes);
  EXPECT_EQ(five.size(), 48u);
  EXPECT_DOUBLE_EQ(five[0].value, 362);  // minutes 360..364
  auto old = f.Query("m", kT0, now, minutes(1), Aggregation::kMin, {}, &used);
  EXPECT_EQ(used, Resolution::kHourly);  // the start is older than the 5-minute retention
  ASSERT_EQ(old.size(), 8u);             // hours 2..9
  EXPECT_DOUBLE_EQ(old[0].value, 120);
}

model::Snapshot Sample(double at, std::vector<std::string> tiers) {
  model::Snapshot s;
  s.target = "db1";
  s.collected_at = At(at);
  s.tiers = std::move(tiers);
  s.server.postmaster_start_time = At(1000);
  s.server.current_user = "pgvigil";
  s.server.has_read_all_stats = true;
  return s;
}

model::CollectorOutcome OkOutcome(std::string collector) {
  model::CollectorOutcome o;
  o.collector = std::move(collector);
  return o;
}

model::StatementStats Stmt(std::int64_t queryid, std::int64_t calls, double total_ms) {
  model::StatementStats s;
  s.userid = 10;
  s.dbid = 5;
  s.queryid = queryid;
  s.rolname = "app";
  s.datname = "shop";
  s.toplevel = true;
  s.calls = calls;
  s.total_exec_time = total_ms;
  s.mean_exec_time = total_ms / static_cast<double>(calls);
  s.rows = calls;
  s.shared_blks_hit = calls * 10;
  return s;
}

TEST(SqliteHistoryStore, HistoryRoundTripKeepsWhatTheChecksRead) {
  StoreFixture f;
  model::Snapshot standard = Sample(kT0, {"standard"});
  standard.outcomes = {OkOutcome("stat_statements")};
  standard.statements = {Stmt(42, 100, 2000), Stmt(7, 5, 1)};
  standard.statements[1].toplevel = std::nullopt;
  standard.statements[1].stats_since = At(500);
  standard.statements_info = model::StatementsInfo{3, At(900)};
  model::Snapshot slow = Sample(kT0 + 60, {"slow"});
  slow.outcomes = {OkOutcome("stat_user_indexes"), OkOutcome("storage"),
                   OkOutcome("stat_user_tables")};
  model::IndexStats idx;
  idx.datname = "shop";
  idx.schemaname = "public";
  idx.relname = "orders";
  idx.indexrelname = "orders_note_idx";
  idx.idx_scan = 0;
  idx.estimated_size_bytes = 1 << 20;
  model::IndexStats scanned = idx;
  scanned.indexrelname = "orders_pkey";
  scanned.idx_scan = 7;
  slow.indexes = {idx, scanned};
  slow.database_sizes = {{"shop", 5'000'000}, {"postgres", 8'000}};
  model::TableStats t;
  t.datname = "shop";
  t.relid = 16384;
  t.schemaname = "public";
  t.relname = "orders";
  t.seq_scan = 4;
  t.n_dead_tup = 12;
  slow.tables = {t};
  slow.largest_relations = {{"shop", 16384, "public", "orders", "r", 9000, 8000, 1000}};
  ASSERT_TRUE(f.store->RecordSnapshot(standard).ok());
  ASSERT_TRUE(f.store->RecordSnapshot(slow).ok());
  // A fast-tier snapshot holds nothing the history keeps.
  ASSERT_TRUE(f.store->RecordSnapshot(Sample(kT0 + 61, {"fast"})).ok());

  auto history = f.store->LoadHistory("db1", At(kT0), 10);
  ASSERT_TRUE(history.has_value()) << history.error().ToString();
  ASSERT_EQ(history->size(), 2u);
  const model::Snapshot& h0 = (*history)[0];
  EXPECT_EQ(h0.collected_at, At(kT0));
  EXPECT_EQ(h0.server.postmaster_start_time, At(1000));
  EXPECT_EQ(h0.server.current_user, "pgvigil");
  EXPECT_TRUE(h0.server.has_read_all_stats);
  ASSERT_NE(h0.FindOutcome("stat_statements"), nullptr);
  EXPECT_EQ(h0.FindOutcome("storage"), nullptr);
  ASSERT_EQ(h0.statements.size(), 2u);
  EXPECT_EQ(h0.statements[0].queryid, 42);
  EXPECT_EQ(h0.statements[0].calls, 100);
  EXPECT_DOUBLE_EQ(h0.statements[0].total_exec_time, 2000);
  EXPECT_EQ(h0.statements[0].shared_blks_hit, 1000);
  EXPECT_EQ(h0.statements[0].toplevel, std::optional<bool>(true));
  EXPECT_EQ(h0.statements[0].userid, 10u);
  EXPECT_EQ(h0.statements[0].dbid, 5u);
  // Slimmed: the checks match statements by ids, never by these names.
  EXPECT_EQ(h0.statements[0].rolname, "");
  EXPECT_EQ(h0.statements[0].datname, "");
  EXPECT_FALSE(h0.statements[1].toplevel.has_value());
  EXPECT_EQ(h0.statements[1].stats_since, std::optional(At(500)));
  ASSERT_TRUE(h0.statements_info.has_value());
  EXPECT_EQ(h0.statements_info->dealloc, 3);
  EXPECT_EQ(h0.statements_info->stats_reset, std::optional(At(900)));

  const model::Snapshot& h1 = (*history)[1];
  EXPECT_NE(h1.FindOutcome("stat_user_indexes"), nullptr);
  EXPECT_NE(h1.FindOutcome("storage"), nullptr);
  EXPECT_EQ(h1.FindOutcome("stat_statements"), nullptr);
  // Only the index without a scan comes back (what index.unused looks up).
  ASSERT_EQ(h1.indexes.size(), 1u);
  EXPECT_EQ(h1.indexes[0].datname, "shop");
  EXPECT_EQ(h1.indexes[0].schemaname, "public");
  EXPECT_EQ(h1.indexes[0].indexrelname, "orders_note_idx");
  EXPECT_EQ(h1.indexes[0].idx_scan, 0);
  EXPECT_EQ(h1.indexes[0].estimated_size_bytes, 1 << 20);
  ASSERT_EQ(h1.database_sizes.size(), 2u);
  // Tables are stored but not loaded: no history check reads them.
  EXPECT_EQ(h1.FindOutcome("stat_user_tables"), nullptr);
  EXPECT_TRUE(h1.tables.empty());
  EXPECT_TRUE(h1.largest_relations.empty());

  // max_samples 1 keeps the newest of each part; since leaves out older ones.
  auto newest = f.store->LoadHistory("db1", At(0), 1);
  ASSERT_EQ(newest->size(), 2u);
  EXPECT_EQ((*newest)[1].collected_at, At(kT0 + 60));
  EXPECT_TRUE(f.store->LoadHistory("db1", At(0), 0)->empty());
  // Each part's window reaches back to its newest sample at or before `since`.
  EXPECT_EQ(f.store->LoadHistory("db1", At(kT0 + 1), 10)->size(), 2u);
  EXPECT_EQ(f.store->LoadHistory("db1", At(kT0 - 1), 10)->size(), 2u);
  EXPECT_TRUE(f.store->LoadHistory("db2", At(0), 10)->empty());
}

// A week of 15-minute samples of both kinds (672 each): K of each come back, spread over the
// whole week, the oldest and the newest among them, not the newest K.
TEST(SqliteHistoryStore, HistoryIsThinnedEvenlyOverTheWholeWindowPerPart) {
  StoreFixture f;
  constexpr int kPerWeek = 7 * 24 * 4;
  constexpr double kPeriod = 900;
  for (int i = 0; i < kPerWeek; ++i) {
    const double at = kT0 + kPeriod * i;
    model::Snapshot standard = Sample(at, {"standard"});
    standard.outcomes = {OkOutcome("stat_statements")};
    standard.statements = {Stmt(42, 10 * (i + 1), 20.0 * (i + 1))};
    ASSERT_TRUE(f.store->RecordSnapshot(standard).ok());
    model::Snapshot slow = Sample(at + 1, {"slow"});
    slow.outcomes = {OkOutcome("storage")};
    slow.database_sizes = {{"shop", 1000 + i}};
    ASSERT_TRUE(f.store->RecordSnapshot(slow).ok());
  }
  constexpr int kK = 10;
  auto history = f.store->LoadHistory("db1", At(kT0), kK);
  ASSERT_TRUE(history.has_value()) << history.error().ToString();
  std::vector<double> statement_times;
  std::vector<double> slow_times;
  for (const model::Snapshot& s : *history) {
    const double t = std::chrono::duration<double>(s.collected_at.time_since_epoch()).count();
    if (s.FindOutcome("stat_statements") != nullptr) {
      ASSERT_EQ(s.statements.size(), 1u);
      statement_times.push_back(t);
    }
    if (s.FindOutcome("storage") != nullptr) {
      ASSERT_EQ(s.database_sizes.size(), 1u);
      slow_times.push_back(t);
    }
  }
  ASSERT_EQ(statement_times.size(), static_cast<size_t>(kK));
  ASSERT_EQ(slow_times.size(), static_cast<size_t>(kK));
  EXPECT_TRUE(std::is_sorted(statement_times.begin(), statement_times.end()));
  EXPECT_EQ(statement_times.front(), kT0);
  EXPECT_EQ(statement_times.back(), kT0 + kPeriod * (kPerWeek - 1));
  EXPECT_EQ(slow_times.front(), kT0 + 1);
  EXPECT_EQ(slow_times.back(), kT0 + 1 + kPeriod * (kPerWeek - 1));
  // Evenly spread: every gap within one sample period of a ninth of the week.
  const double gap = kPeriod * (kPerWeek - 1) / (kK - 1);
  for (size_t i = 1; i < statement_times.size(); ++i) {
    EXPECT_NEAR(statement_times[i] - statement_times[i - 1], gap, kPeriod) << i;
    EXPECT_NEAR(slow_times[i] - slow_times[i - 1], gap, kPeriod) << i;
  }
  // Fewer samples than K: all of them, from the newest of each part at or before `since`
  // (3 statement samples from it on; the slow one a second after the 4th newest, and 3 more).
  auto recent = f.store->LoadHistory("db1", At(kT0 + kPeriod * (kPerWeek - 3)), kK);
  ASSERT_TRUE(recent.has_value());
  EXPECT_EQ(recent->size(), 7u);
  EXPECT_EQ(recent->front().collected_at, At(kT0 + 1 + kPeriod * (kPerWeek - 4)));
  EXPECT_NE(recent->front().FindOutcome("storage"), nullptr);
}

// Each older sample keeps only the indexes without a scan in it and in every newer one (what
// index.unused can still reach walking back), and equal sets share one buffer.
TEST(SqliteHistoryStore, HistoryIndexesAreTheUnscannedOnesNestedAndShared) {
  StoreFixture f;
  const auto index = [](std::string name, std::int64_t scans) {
    model::IndexStats i;
    i.datname = "shop";
    i.schemaname = "public";
    i.relname = "orders";
    i.indexrelname = std::move(name);
    i.idx_scan = scans;
    return i;
  };
  const auto slow = [&](double at, std::vector<model::IndexStats> indexes) {
    model::Snapshot s = Sample(at, {"slow"});
    s.outcomes = {OkOutcome("stat_user_indexes")};
    s.indexes = std::move(indexes);
    return s;
  };
  // "c" is scanned from the third sample on; "b" was scanned in the second sample only (its
  // counters reset after it): walking back, index.unused stops there for both.
  ASSERT_TRUE(
      f.store->RecordSnapshot(slow(kT0, {index("a", 0), index("b", 0), index("c", 0)})).ok());
  ASSERT_TRUE(
      f.store->RecordSnapshot(slow(kT0 + 300, {index("a", 0), index("b", 4), index("c", 0)})).ok());
  ASSERT_TRUE(
      f.store->RecordSnapshot(slow(kT0 + 600, {index("a", 0), index("b", 0), index("c", 2)})).ok());
  ASSERT_TRUE(
      f.store->RecordSnapshot(slow(kT0 + 900, {index("b", 0), index("c", 3), index("a", 0)})).ok());
  auto history = f.store->LoadHistory("db1", At(0), 10);
  ASSERT_TRUE(history.has_value()) << history.error().ToString();
  ASSERT_EQ(history->size(), 4u);
  const auto names = [](const model::Snapshot& s) {
    std::vector<std::string> out;
    for (const model::IndexStats& i : s.indexes) out.push_back(i.indexrelname);
    return out;
  };
  using Names = std::vector<std::string>;
  EXPECT_EQ(names((*history)[3]), (Names{"a", "b"}));
  EXPECT_EQ(names((*history)[2]), (Names{"a", "b"}));
  EXPECT_TRUE((*history)[2].indexes.SharesWith((*history)[3].indexes));
  EXPECT_EQ(names((*history)[1]), (Names{"a"}));
  EXPECT_EQ(names((*history)[0]), (Names{"a"}));
  EXPECT_TRUE((*history)[0].indexes.SharesWith((*history)[1].indexes));
  for (const model::Snapshot& s : *history) EXPECT_NE(s.FindOutcome("stat_user_indexes"), nullptr);
}

TEST(SqliteHistoryStore, StatementSamplesAreRateLimitedAndBoundedToTheTopN) {
  SqliteStoreOptions o;
  o.statement_top_n = 2;
  StoreFixture f(o);
  const auto sample = [](double at, std::vector<model::StatementStats> statements) {
    model::Snapshot s = Sample(at, {"standard"});
    s.outcomes = {OkOutcome("stat_statements")};
    s.statements = std::move(statements);
    return s;
  };
  ASSERT_TRUE(
      f.store->RecordSnapshot(sample(kT0, {Stmt(1, 10, 100), Stmt(2, 10, 300), Stmt(3, 10, 200)}))
          .ok());
  // 15 s later: within the 5-minute interval, not written.
  ASSERT_TRUE(f.store->RecordSnapshot(sample(kT0 + 15, {Stmt(1, 11, 110)})).ok());
  // Five minutes later: statement 1 overtakes 3; 3 stays (it was kept before, 2 N allows it).
  ASSERT_TRUE(f.store
                  ->RecordSnapshot(sample(kT0 + 300, {Stmt(1, 50, 1000), Stmt(2, 10, 300),
                                                      Stmt(3, 10, 250), Stmt(4, 1, 1)}))
                  .ok());
  auto history = f.store->LoadHistory("db1", At(0), 10);
  ASSERT_TRUE(history.has_value());
  ASSERT_EQ(history->size(), 2u);
  const auto ids = [](const model::Snapshot& s) {
    std::set<std::int64_t> out;
    for (const auto& st : s.statements) out.insert(st.queryid);
    return out;
  };
  EXPECT_EQ(ids((*history)[0]), (std::set<std::int64_t>{2, 3}));
  EXPECT_EQ(ids((*history)[1]), (std::set<std::int64_t>{1, 2, 3}));
}

TEST(SqliteHistoryStore, SampleRetentionDeletesSamplesWithTheirParts) {
  SqliteStoreOptions o;
  o.sample_retention = hours(1);
  o.delete_batch_samples = 1;
  StoreFixture f(o);
  for (int i = 0; i < 3; ++i) {
    model::Snapshot s = Sample(kT0 + 1800.0 * i, {"slow"});
    s.outcomes = {OkOutcome("storage")};
    s.database_sizes = {{"shop", 100 + i}};
    ASSERT_TRUE(f.store->RecordSnapshot(s).ok());
  }
  auto stats = f.store->Compact(At(kT0 + 3600 + 1800 + 1));
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->deleted_samples, 2);  // at kT0 and kT0 + 30 min
  auto history = f.store->LoadHistory("db1", At(0), 10);
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].database_sizes[0].size_bytes, 102);
}

model::Finding MakeFinding(std::string id, std::string object, model::Severity severity,
                           double value) {
  model::Finding f;
  f.id = std::move(id);
  f.object = std::move(object);
  f.severity = severity;
  f.value = value;
  f.unit = "count";
  f.message = "value " + std::to_string(static_cast<int>(value));
  return f;
}

TEST(SqliteHistoryStore, FindingEpisodesOpenUpdateAndClose) {
  SqliteStoreOptions o;
  o.episode_retention = hours(24);
  StoreFixture f(o);
  using model::Severity;
  ASSERT_TRUE(f.store
                  ->RecordFindings("db1", At(kT0),
                                   {MakeFinding("a.x", "t1", Severity::kWarning, 1),
                                    MakeFinding("b.y", "t2", Severity::kInfo, 5)})
                  .ok());
  ASSERT_TRUE(
      f.store
          ->RecordFindings("db1", At(kT0 + 60), {MakeFinding("a.x", "t1", Severity::kCritical, 2)})
          .ok());
  ASSERT_TRUE(f.store
                  ->RecordFindings("db1", At(kT0 + 120),
                                   {MakeFinding("a.x", "t1", Severity::kWarning, 3),
                                    MakeFinding("a.x", "t1", Severity::kInfo, 4)})
                  .ok());
  ASSERT_TRUE(f.store->RecordFindings("db1", At(kT0 + 180), {}).ok());
  ASSERT_TRUE(
      f.store
          ->RecordFindings("db1", At(kT0 + 240), {MakeFinding("a.x", "t1", Severity::kWarning, 9)})
          .ok());

  auto episodes = f.store->FindingEpisodes("db1", At(0), At(kT0 + 1000));
  ASSERT_TRUE(episodes.has_value()) << episodes.error().ToString();
  ASSERT_EQ(episodes->size(), 3u);
  const FindingEpisode& a = (*episodes)[0];
  const FindingEpisode& b = (*episodes)[1];
  EXPECT_EQ(a.id, "a.x");
  EXPECT_EQ(a.first_seen, At(kT0));
  EXPECT_EQ(a.last_seen, At(kT0 + 120));
  EXPECT_EQ(a.closed_at, std::optional(At(kT0 + 180)));
  EXPECT_EQ(a.worst_severity, Severity::kCritical);
  EXPECT_EQ(a.last_severity, Severity::kWarning);  // the worse of the two at kT0 + 120
  EXPECT_EQ(a.last_value, std::optional(3.0));
  EXPECT_EQ(a.message, "value 3");
  EXPECT_EQ(b.id, "b.y");
  EXPECT_EQ(b.closed_at, std::optional(At(kT0 + 60)));
  const FindingEpisode& again = (*episodes)[2];
  EXPECT_EQ(again.id, "a.x");
  EXPECT_EQ(again.first_seen, At(kT0 + 240));
  EXPECT_FALSE(again.closed_at.has_value());

  // Overlap: an episode closed before `from` is left out, an open one is in.
  auto late = f.store->FindingEpisodes("db1", At(kT0 + 200), At(kT0 + 1000));
  ASSERT_EQ(late->size(), 1u);
  EXPECT_EQ((*late)[0].first_seen, At(kT0 + 240));
  // Closed episodes go after their retention; the open one stays.
  auto stats = f.store->Compact(At(kT0 + 180 + 86400 + 1));
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->deleted_episodes, 2);
  EXPECT_EQ(f.store->FindingEpisodes("db1", At(0), At(kT0 + 1e6))->size(), 1u);
}

std::vector<model::Finding> ManyFindings(int n) {
  std::vector<model::Finding> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(MakeFinding("index.unused", "idx" + std::to_string(i), model::Severity::kInfo,
                              static_cast<double>(i)));
  }
  return out;
}

// The latest episode of each object of target db1.
std::map<std::string, FindingEpisode> EpisodesByObject(HistoryStore& store) {
  auto episodes = store.FindingEpisodes("db1", At(0), At(kT0 + 1e6));
  EXPECT_TRUE(episodes.has_value()) << episodes.error().ToString();
  std::map<std::string, FindingEpisode> out;
  if (!episodes.has_value()) return out;
  // By first_seen: the latest episode of each object wins.
  for (FindingEpisode& e : *episodes) out[e.object] = std::move(e);
  return out;
}

// Every call sees the same findings (the daemon's once a second): the episodes stay open,
// their last_seen advances as read, and the only row written per call is the target's time.
TEST(SqliteHistoryStore, FindingsSeenAgainWriteOneRowPerCall) {
  StoreFixture f;
  const std::vector<model::Finding> findings = ManyFindings(500);
  ASSERT_TRUE(f.store->RecordFindings("db1", At(kT0), findings).ok());
  const std::int64_t after_first = f.store->WriterChangesForTest();
  EXPECT_GE(after_first, 500);  // the inserts (and the target)
  for (int i = 1; i <= 5; ++i) {
    const std::int64_t before = f.store->WriterChangesForTest();
    ASSERT_TRUE(f.store->RecordFindings("db1", At(kT0 + i), findings).ok());
    EXPECT_EQ(f.store->WriterChangesForTest() - before, 1) << "call " << i;
  }
  auto episodes = EpisodesByObject(*f.store);
  ASSERT_EQ(episodes.size(), 500u);
  for (const auto& [object, e] : episodes) {
    EXPECT_EQ(e.first_seen, At(kT0)) << object;
    EXPECT_EQ(e.last_seen, At(kT0 + 5)) << object;
    EXPECT_FALSE(e.closed_at.has_value()) << object;
  }

  // One changed, one gone, one new: three episode rows and the target's time.
  std::vector<model::Finding> next = findings;
  next[10].message = "now different";
  next[10].severity = model::Severity::kWarning;
  next.erase(next.begin() + 20);
  next.push_back(MakeFinding("table.bloat", "t1", model::Severity::kWarning, 7));
  const std::int64_t before = f.store->WriterChangesForTest();
  ASSERT_TRUE(f.store->RecordFindings("db1", At(kT0 + 6), next).ok());
  EXPECT_EQ(f.store->WriterChangesForTest() - before, 4);
  episodes = EpisodesByObject(*f.store);
  ASSERT_EQ(episodes.size(), 501u);
  EXPECT_EQ(episodes["idx10"].message, "now different");
  EXPECT_EQ(episodes["idx10"].last_severity, model::Severity::kWarning);
  EXPECT_EQ(episodes["idx10"].worst_severity, model::Severity::kWarning);
  EXPECT_EQ(episodes["idx10"].last_seen, At(kT0 + 6));
  EXPECT_EQ(episodes["idx20"].closed_at, std::optional(At(kT0 + 6)));
  EXPECT_EQ(episodes["idx20"].last_seen, At(kT0 + 5));  // seen last by the call before
  EXPECT_EQ(episodes["t1"].first_seen, At(kT0 + 6));
  EXPECT_EQ(episodes["idx0"].last_seen, At(kT0 + 6));
  EXPECT_EQ(episodes["idx0"].first_seen, At(kT0));
  // The closed episode keeps its last_seen while the target's time moves on.
  ASSERT_TRUE(f.store->RecordFindings("db1", At(kT0 + 7), next).ok());
  episodes = EpisodesByObject(*f.store);
  EXPECT_EQ(episodes["idx20"].last_seen, At(kT0 + 5));
  EXPECT_EQ(episodes["idx0"].last_seen, At(kT0 + 7));
}

// Nothing the file must know is kept only in memory: a store opened again on the file (after
// a crash, say) carries the episodes on where the last commit left them.
TEST(SqliteHistoryStore, FindingEpisodesCarryOnAfterTheStoreIsOpenedAgain) {
  StoreFixture f;
  const std::vector<model::Finding> findings = ManyFindings(3);
  ASSERT_TRUE(f.store->RecordFindings("db1", At(kT0), findings).ok());
  ASSERT_TRUE(f.store->RecordFindings("db1", At(kT0 + 1), findings).ok());
  f.store.reset();
  auto reopened = SqliteHistoryStore::Open(f.dir.File("history.db"));
  ASSERT_TRUE(reopened.has_value()) << reopened.error().ToString();
  auto episodes = EpisodesByObject(**reopened);
  ASSERT_EQ(episodes.size(), 3u);
  EXPECT_EQ(episodes["idx1"].last_seen, At(kT0 + 1));
  ASSERT_TRUE((*reopened)->RecordFindings("db1", At(kT0 + 2), findings).ok());
  std::vector<model::Finding> fewer = findings;
  fewer.pop_back();
  ASSERT_TRUE((*reopened)->RecordFindings("db1", At(kT0 + 3), fewer).ok());
  episodes = EpisodesByObject(**reopened);
  ASSERT_EQ(episodes.size(), 3u);
  EXPECT_EQ(episodes["idx0"].first_seen, At(kT0));  // not a second episode
  EXPECT_EQ(episodes["idx0"].last_seen, At(kT0 + 3));
  EXPECT_EQ(episodes["idx2"].closed_at, std::optional(At(kT0 + 3)));
  EXPECT_EQ(episodes["idx2"].last_seen, At(kT0 + 2));
}

// After a failed write the open episodes are read from the file again, not trusted from memory.
TEST(SqliteHistoryStore, AFailedFindingsWriteDropsWhatTheStoreRemembers) {
  SqliteStoreOptions o;
  o.busy_timeout = std::chrono::milliseconds(50);
  StoreFixture f(o);
  const std::vector<model::Finding> findings = ManyFindings(2);
  ASSERT_TRUE(f.store->RecordFindings("db1", At(kT0), findings).ok());
  auto other = SqliteDb::Open(f.dir.File("history.db"));
  ASSERT_TRUE(other.has_value());
  ASSERT_TRUE(other->Exec("BEGIN IMMEDIATE").ok());
  ASSERT_TRUE(
      other->Exec("UPDATE finding_episodes SET message = 'edited' WHERE object = 'idx0'").ok());
  const common::Status busy = f.store->RecordFindings("db1", At(kT0 + 1), findings);
  EXPECT_EQ(busy.code(), common::StatusCode::kUnavailable) << busy.ToString();
  ASSERT_TRUE(other->Exec("COMMIT").ok());
  // The row now differs from what the store last wrote; re-read, it is written back.
  ASSERT_TRUE(f.store->RecordFindings("db1", At(kT0 + 2), findings).ok());
  auto episodes = EpisodesByObject(*f.store);
  EXPECT_EQ(episodes["idx0"].message, "value 0");
  EXPECT_EQ(episodes["idx0"].last_seen, At(kT0 + 2));
}

// Stores written before migration 0005 updated last_seen on every call; the migration takes
// each target's time from them.
TEST(SqliteHistoryStore, Migration5TakesTheTargetsTimeFromItsOpenEpisodes) {
  testing::TempDir dir;
  {
    auto db = SqliteDb::Open(dir.File("history.db"));
    ASSERT_TRUE(db.has_value());
    ASSERT_TRUE(ApplyMigrations(*db, BuiltinMigrations().first(4), At(kT0)).has_value());
    ASSERT_TRUE(db->Exec("INSERT INTO targets (id, name) VALUES (1, 'db1');"
                         "INSERT INTO finding_episodes (target_id, finding_id, object, first_seen, "
                         "last_seen, closed_at, worst_severity, last_severity, unit, message) "
                         "VALUES (1, 'a.x', 'o1', 1, 500, NULL, 1, 1, '', 'm'),"
                         " (1, 'a.x', 'o2', 1, 300, 400, 1, 1, '', 'm')")
                    .ok());
  }
  auto store = SqliteHistoryStore::Open(dir.File("history.db"));
  ASSERT_TRUE(store.has_value()) << store.error().ToString();
  auto episodes = (*store)->FindingEpisodes("db1", common::Timestamp{}, At(kT0));
  ASSERT_TRUE(episodes.has_value());
  ASSERT_EQ(episodes->size(), 2u);
  EXPECT_EQ((*episodes)[0].last_seen.time_since_epoch().count(), 500);
  EXPECT_EQ((*episodes)[1].last_seen.time_since_epoch().count(), 300);
  // The next call closes o1, seen last at 500 µs.
  ASSERT_TRUE((*store)->RecordFindings("db1", At(kT0), {}).ok());
  episodes = (*store)->FindingEpisodes("db1", common::Timestamp{}, At(kT0));
  EXPECT_EQ((*episodes)[0].closed_at, std::optional(At(kT0)));
  EXPECT_EQ((*episodes)[0].last_seen.time_since_epoch().count(), 500);
}

TEST(SqliteHistoryStore, AFastOnlySampleWritesNothing) {
  StoreFixture f;
  const std::int64_t before = f.store->WriterChangesForTest();
  ASSERT_TRUE(f.store->RecordSnapshot(Sample(kT0, {"fast"})).ok());
  EXPECT_EQ(f.store->WriterChangesForTest(), before);
  EXPECT_TRUE(f.store->LoadHistory("db1", At(0), 10)->empty());
}

TEST(SqliteHistoryStore, ReadersRunBesideTheWriter) {
  StoreFixture f;
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::atomic<int> failures{0};
  std::atomic<size_t> last_seen{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      size_t previous = 0;
      while (!done.load()) {
        auto result = f.store->QuerySeries(
            {"db1", "m", {}, At(kT0), At(kT0 + 100000), seconds(1), Aggregation::kSum});
        if (!result.has_value()) {
          ++failures;
          continue;
        }
        const size_t n = result->series.empty() ? 0 : result->series[0].points.size();
        // Each batch commits 100 points at once: a reader sees whole batches, never fewer
        // points than before.
        if (n % 100 != 0 || n < previous) ++failures;
        previous = n;
        last_seen = std::max(last_seen.load(), n);
        ++reads;
      }
    });
  }
  for (int batch = 0; batch < 50; ++batch) {
    std::vector<model::MetricPoint> points;
    for (int i = 0; i < 100; ++i) points.push_back(Point("m", {}, kT0 + batch * 100 + i, i));
    ASSERT_TRUE(f.store->AppendPoints(points).ok());
    // Keep writing until the readers have had a turn, so the two really overlap.
    if (batch == 25) {
      while (reads.load() < 3) std::this_thread::yield();
    }
  }
  done = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(reads.load(), 0);
  auto final_read = f.store->QuerySeries(
      {"db1", "m", {}, At(kT0), At(kT0 + 100000), seconds(1), Aggregation::kSum});
  ASSERT_TRUE(final_read.has_value());
  EXPECT_EQ(final_read->series[0].points.size(), 5000u);
}

}  // namespace
}  // namespace pgvigil::store
