// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/cache_hit_ratio_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

using common::TimestampFromEpochSeconds;

model::Snapshot Sample(double at, std::int64_t hits, std::int64_t reads, double stats_reset = 100) {
  model::Snapshot s;
  s.target = "db1";
  s.collected_at = TimestampFromEpochSeconds(at);
  s.outcomes = {testing::OkOutcome("stat_database")};
  model::DatabaseStats d;
  d.datid = 5;
  d.datname = "shop";
  d.blks_hit = hits;
  d.blks_read = reads;
  d.stats_reset = TimestampFromEpochSeconds(stats_reset);
  s.databases = {d};
  s.settings = {{"shared_buffers", "16384", "8kB", "integer", "configuration file", false}};
  return s;
}

// A million hits and no reads before: since the reset the ratio looks perfect.
std::vector<model::Finding> Interval(std::int64_t hits, std::int64_t reads,
                                     const Thresholds& t = {}) {
  const model::Snapshot before = Sample(1000, 1000000, 0);
  return testing::EvaluateCheck(CacheHitRatioCheck(), Sample(1060, 1000000 + hits, reads), &before,
                                t);
}

TEST(CacheHitRatioCheck, WarnsAtNinetyFivePercentOverTheInterval) {
  EXPECT_TRUE(Interval(9510, 490).empty());
  const auto findings = Interval(9500, 500);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "cache.hit_ratio");
  EXPECT_EQ(findings[0].object, "shop");
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_DOUBLE_EQ(*findings[0].value, 0.95);
  EXPECT_EQ(*findings[0].threshold, 0.95);
  EXPECT_EQ(findings[0].unit, "ratio");
  bool shared_buffers = false;
  for (const std::string& e : findings[0].evidence)
    shared_buffers |= e == "shared_buffers = 128 MB";
  EXPECT_TRUE(shared_buffers);
}

TEST(CacheHitRatioCheck, IsCriticalAtNinetyPercent) {
  EXPECT_EQ(Interval(9010, 990)[0].severity, model::Severity::kWarning);
  EXPECT_EQ(Interval(9000, 1000)[0].severity, model::Severity::kCritical);
}

TEST(CacheHitRatioCheck, SaysItCannotJudgeFromTooFewBlocks) {
  const auto findings = Interval(5000, 4999);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kInfo);
  EXPECT_TRUE(findings[0].insufficient_data);
  EXPECT_NE(findings[0].message.find("9999 block requests of the 10000 needed"), std::string::npos);
}

// Autovacuum's visits to a quiet database read a few hundred blocks in one interval and none
// in the next: both are "too little traffic", so the condition, and its episode, persists
// instead of opening and closing at every standard tick.
TEST(CacheHitRatioCheck, AQuietDatabaseStaysOneConditionWithOrWithoutTraffic) {
  const auto some = Interval(300, 2);
  const auto none = Interval(0, 0);
  ASSERT_EQ(some.size(), 1u);
  ASSERT_EQ(none.size(), 1u);
  for (const auto* f : {&some[0], &none[0]}) {
    EXPECT_EQ(f->id, "cache.hit_ratio");
    EXPECT_EQ(f->object, "shop");
    EXPECT_EQ(f->severity, model::Severity::kInfo);
    EXPECT_TRUE(f->insufficient_data);
  }
  EXPECT_NE(none[0].message.find("(0 block requests of the 10000 needed)"), std::string::npos);
}

TEST(CacheHitRatioCheck, SaysNothingOfADatabaseThatAllowsNoConnections) {
  const model::Snapshot before = Sample(1000, 1000000, 0);
  model::Snapshot now = Sample(1060, 1000000, 0);
  now.database_ages = {{"shop", 1000, 10, false}};
  EXPECT_TRUE(testing::EvaluateCheck(CacheHitRatioCheck(), now, &before).empty());
}

TEST(CacheHitRatioCheck, SaysNothingAcrossAStatisticsReset) {
  const model::Snapshot before = Sample(1000, 1000000, 0);
  EXPECT_TRUE(testing::EvaluateCheck(CacheHitRatioCheck(), Sample(1060, 5000, 5000, 1030), &before)
                  .empty());
  EXPECT_TRUE(
      testing::EvaluateCheck(CacheHitRatioCheck(), Sample(1060, 5000, 5000), nullptr).empty());
}

TEST(CacheHitRatioCheck, APerDatabaseOverrideLowersTheLevel) {
  const Thresholds t({{"cache.hit_ratio", "*", "shop", {0.5, 0.3}}});
  EXPECT_TRUE(Interval(8000, 2000, t).empty());
  EXPECT_EQ(Interval(8000, 2000)[0].severity, model::Severity::kCritical);
}

}  // namespace
}  // namespace pgvigil::analysis
