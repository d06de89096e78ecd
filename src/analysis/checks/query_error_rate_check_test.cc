// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/query_error_rate_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

using common::TimestampFromEpochSeconds;

model::Snapshot Sample(double at, std::int64_t commits, std::int64_t rollbacks,
                       std::string datname = "shop", double stats_reset = 100) {
  model::Snapshot s;
  s.target = "db1";
  s.collected_at = TimestampFromEpochSeconds(at);
  s.outcomes = {testing::OkOutcome("stat_database")};
  model::DatabaseStats d;
  d.datid = 5;
  d.datname = std::move(datname);
  d.xact_commit = commits;
  d.xact_rollback = rollbacks;
  d.stats_reset = TimestampFromEpochSeconds(stats_reset);
  s.databases = {d};
  return s;
}

// 10000 commits and 100 rollbacks before; the interval adds `commits` and `rollbacks`.
std::vector<model::Finding> Interval(std::int64_t commits, std::int64_t rollbacks,
                                     const Thresholds& t = {}) {
  const model::Snapshot before = Sample(1000, 10000, 100);
  const model::Snapshot now = Sample(1060, 10000 + commits, 100 + rollbacks);
  return testing::EvaluateCheck(QueryErrorRateCheck(), now, &before, t);
}

TEST(QueryErrorRateCheck, WarnsFromFivePercentOfRollbacks) {
  EXPECT_TRUE(Interval(96, 4).empty());
  const auto findings = Interval(95, 5);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "query.error_rate");
  EXPECT_EQ(findings[0].object, "shop");
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_DOUBLE_EQ(*findings[0].value, 0.05);
  EXPECT_EQ(findings[0].message,
            "5.0 % of transactions in database shop rolled back in the last 60 s (5 of 100)");
  EXPECT_EQ(findings[0].evidence[0], "95 commits and 5 rollbacks in the last 60 s");
}

TEST(QueryErrorRateCheck, IsCriticalFromTwentyPercent) {
  EXPECT_EQ(Interval(81, 19)[0].severity, model::Severity::kWarning);
  EXPECT_EQ(Interval(80, 20)[0].severity, model::Severity::kCritical);
}

TEST(QueryErrorRateCheck, SaysItCannotJudgeFromTooFewTransactions) {
  const auto findings = Interval(49, 50);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kInfo);
  EXPECT_TRUE(findings[0].insufficient_data);
  EXPECT_FALSE(findings[0].value.has_value());
  EXPECT_NE(findings[0].message.find("99 of the 100 needed"), std::string::npos);
}

// A quiet database sees a few transactions in one interval (autovacuum, a health check) and
// none in the next: both are "too few to judge", so the condition, and its episode, persists.
TEST(QueryErrorRateCheck, AQuietDatabaseStaysOneConditionWithOrWithoutTransactions) {
  const auto some = Interval(3, 0);
  const auto none = Interval(0, 0);
  ASSERT_EQ(some.size(), 1u);
  ASSERT_EQ(none.size(), 1u);
  for (const auto* f : {&some[0], &none[0]}) {
    EXPECT_EQ(f->id, "query.error_rate");
    EXPECT_EQ(f->object, "shop");
    EXPECT_EQ(f->severity, model::Severity::kInfo);
    EXPECT_TRUE(f->insufficient_data);
  }
  EXPECT_NE(none[0].message.find("(0 of the 100 needed)"), std::string::npos);
}

TEST(QueryErrorRateCheck, SaysNothingOfADatabaseThatAllowsNoConnections) {
  model::Snapshot before = Sample(1000, 10000, 100, "template0");
  model::Snapshot now = Sample(1060, 10000, 100, "template0");
  now.database_ages = {{"template0", 1000, 10, false}};
  EXPECT_TRUE(testing::EvaluateCheck(QueryErrorRateCheck(), now, &before).empty());
  now.database_ages = {{"template0", 1000, 10, true}};
  EXPECT_EQ(testing::EvaluateCheck(QueryErrorRateCheck(), now, &before).size(), 1u);
}

TEST(QueryErrorRateCheck, SaysNothingAcrossAStatisticsResetOrARestart) {
  const model::Snapshot before = Sample(1000, 10000, 100);
  const model::Snapshot reset = Sample(1060, 50, 50, "shop", 1030);
  EXPECT_TRUE(testing::EvaluateCheck(QueryErrorRateCheck(), reset, &before).empty());
  model::Snapshot restarted = Sample(1060, 10100, 200);
  restarted.server.postmaster_start_time = TimestampFromEpochSeconds(1050);
  EXPECT_TRUE(testing::EvaluateCheck(QueryErrorRateCheck(), restarted, &before).empty());
  EXPECT_TRUE(testing::EvaluateCheck(QueryErrorRateCheck(), restarted, nullptr).empty());
}

TEST(QueryErrorRateCheck, SaysNothingWhenEitherSampleLacksDatabaseStatistics) {
  model::Snapshot before = Sample(1000, 10000, 100);
  before.outcomes[0].status = model::CollectorStatus::kError;
  EXPECT_TRUE(
      testing::EvaluateCheck(QueryErrorRateCheck(), Sample(1060, 10050, 150), &before).empty());
}

TEST(QueryErrorRateCheck, APerDatabaseOverrideRaisesTheLevel) {
  const Thresholds t({{"query.error_rate", "*", "shop", {0.5, 0.8}}});
  EXPECT_TRUE(Interval(70, 30, t).empty());
  EXPECT_EQ(Interval(70, 30).size(), 1u);
}

TEST(QueryErrorRateCheck, JudgesAComposedSnapshotOverTheStandardTiersInterval) {
  // The daemon's snapshots: fast parts 1 s apart, pg_stat_database (standard tier) 15 s apart.
  model::Snapshot before = Sample(1000, 10000, 100);
  before.tier_times.fast = TimestampFromEpochSeconds(1000);
  before.tier_times.standard = TimestampFromEpochSeconds(985);
  model::Snapshot now = Sample(1001, 10000 + 95, 100 + 5);
  now.tier_times.fast = TimestampFromEpochSeconds(1001);
  now.tier_times.standard = TimestampFromEpochSeconds(1000);
  const auto findings = testing::EvaluateCheck(QueryErrorRateCheck(), now, &before);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].message,
            "5.0 % of transactions in database shop rolled back in the last 15 s (5 of 100)");
  EXPECT_EQ(findings[0].evidence[1], "0.3 rollbacks per second");
}

}  // namespace
}  // namespace pgvigil::analysis
