// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/locks_deadlocks_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

using common::TimestampFromEpochSeconds;

model::Snapshot Sample(double at, std::int64_t deadlocks, std::string log_lock_waits = "off",
                       double stats_reset = 100) {
  model::Snapshot s;
  s.target = "db1";
  s.collected_at = TimestampFromEpochSeconds(at);
  s.outcomes = {testing::OkOutcome("stat_database")};
  model::DatabaseStats d;
  d.datid = 5;
  d.datname = "shop";
  d.deadlocks = deadlocks;
  d.stats_reset = TimestampFromEpochSeconds(stats_reset);
  s.databases = {d};
  s.settings = {{"log_lock_waits", std::move(log_lock_waits), "", "bool", "default", false},
                {"deadlock_timeout", "1000", "ms", "integer", "default", false}};
  return s;
}

std::vector<model::Finding> Interval(std::int64_t deadlocks, const Thresholds& t = {},
                                     std::string log_lock_waits = "off") {
  const model::Snapshot before = Sample(1000, 7);
  return testing::EvaluateCheck(LocksDeadlocksCheck(), Sample(1060, 7 + deadlocks, log_lock_waits),
                                &before, t);
}

TEST(LocksDeadlocksCheck, WarnsOnANewDeadlock) {
  EXPECT_TRUE(Interval(0).empty());
  const auto findings = Interval(1);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "locks.deadlocks");
  EXPECT_EQ(findings[0].object, "shop");
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_EQ(*findings[0].value, 1);
  EXPECT_EQ(findings[0].message, "1 deadlock in database shop in the last 60 s");
  EXPECT_EQ(findings[0].evidence[0], "pg_stat_database.deadlocks rose from 7 to 8 in 60 s");
}

TEST(LocksDeadlocksCheck, IsCriticalFromTenInTheInterval) {
  EXPECT_EQ(Interval(9)[0].severity, model::Severity::kWarning);
  EXPECT_EQ(Interval(10)[0].severity, model::Severity::kCritical);
}

TEST(LocksDeadlocksCheck, OldDeadlocksSinceTheResetAreNotNew) {
  const model::Snapshot before = Sample(1000, 500);
  EXPECT_TRUE(testing::EvaluateCheck(LocksDeadlocksCheck(), Sample(1060, 500), &before).empty());
  EXPECT_TRUE(testing::EvaluateCheck(LocksDeadlocksCheck(), Sample(1060, 500), nullptr).empty());
}

TEST(LocksDeadlocksCheck, SaysNothingAcrossAStatisticsReset) {
  const model::Snapshot before = Sample(1000, 500);
  // Reset, then 3 deadlocks: the counter is lower, and stats_reset moved.
  EXPECT_TRUE(
      testing::EvaluateCheck(LocksDeadlocksCheck(), Sample(1060, 3, "off", 1030), &before).empty());
  // Reset, then more deadlocks than before: only stats_reset tells.
  EXPECT_TRUE(testing::EvaluateCheck(LocksDeadlocksCheck(), Sample(1060, 600, "off", 1030), &before)
                  .empty());
}

TEST(LocksDeadlocksCheck, APerDatabaseOverrideRaisesTheLevel) {
  const Thresholds t({{"locks.deadlocks", "*", "sho?", {5, 50}}});
  EXPECT_TRUE(Interval(3, t).empty());
  EXPECT_EQ(Interval(3).size(), 1u);
}

TEST(LocksDeadlocksCheck, RecommendsLoggingLockWaitsOnlyWhenItIsOff) {
  const auto off = Interval(2);
  EXPECT_EQ(off[0].recommendation->sql,
            "ALTER SYSTEM SET log_lock_waits = on; SELECT pg_reload_conf();");
  const auto on = Interval(2, {}, "on");
  EXPECT_EQ(on[0].recommendation->sql, "");
  EXPECT_NE(on[0].recommendation->why.find("same order"), std::string::npos);
}

}  // namespace
}  // namespace pgvigil::analysis
