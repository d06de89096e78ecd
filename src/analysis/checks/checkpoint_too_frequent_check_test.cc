// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/checkpoint_too_frequent_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

using common::TimestampFromEpochSeconds;

model::Snapshot Sample(double at, std::int64_t timed, std::int64_t requested,
                       double stats_reset = 100) {
  model::Snapshot s;
  s.target = "db1";
  s.collected_at = TimestampFromEpochSeconds(at);
  s.outcomes = {testing::OkOutcome("checkpointer")};
  model::CheckpointerStats c;
  c.checkpoints_timed = timed;
  c.checkpoints_req = requested;
  c.checkpointer_stats_reset = TimestampFromEpochSeconds(stats_reset);
  s.checkpointer = c;
  s.settings = {{"max_wal_size", "1024", "MB", "integer", "default", false},
                {"checkpoint_timeout", "300", "s", "integer", "default", false}};
  return s;
}

// 100 timed and 5 requested before; the 15 minutes of the interval add the rest.
std::vector<model::Finding> Interval(std::int64_t timed, std::int64_t requested,
                                     const Thresholds& t = {}) {
  const model::Snapshot before = Sample(1000, 100, 5);
  return testing::EvaluateCheck(CheckpointTooFrequentCheck(),
                                Sample(1900, 100 + timed, 5 + requested), &before, t);
}

TEST(CheckpointTooFrequentCheck, WarnsWhenHalfOfTheCheckpointsWereRequested) {
  EXPECT_TRUE(Interval(2, 1).empty());
  const auto findings = Interval(1, 1);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "checkpoint.too_frequent");
  EXPECT_EQ(findings[0].object, "server");
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_DOUBLE_EQ(*findings[0].value, 0.5);
  EXPECT_EQ(findings[0].message,
            "1 of 2 checkpoints in the last 15 min were requested, not timed (50 %): WAL fills "
            "max_wal_size (1.0 GB) before checkpoint_timeout (5 min)");
  const auto& e = findings[0].evidence;
  EXPECT_NE(std::find(e.begin(), e.end(), "max_wal_size = 1.0 GB"), e.end());
  EXPECT_NE(std::find(e.begin(), e.end(), "checkpoint_timeout = 5 min"), e.end());
}

TEST(CheckpointTooFrequentCheck, IsCriticalFromNinetyPercent) {
  EXPECT_EQ(Interval(2, 8)[0].severity, model::Severity::kWarning);
  EXPECT_EQ(Interval(1, 9)[0].severity, model::Severity::kCritical);
}

TEST(CheckpointTooFrequentCheck, RecommendsDoublingMaxWalSize) {
  const auto findings = Interval(0, 4);
  ASSERT_TRUE(findings[0].recommendation.has_value());
  EXPECT_EQ(findings[0].recommendation->sql,
            "ALTER SYSTEM SET max_wal_size = '2GB'; SELECT pg_reload_conf();");
}

TEST(CheckpointTooFrequentCheck, SaysItCannotJudgeFromOneCheckpoint) {
  const auto findings = Interval(0, 1);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kInfo);
  EXPECT_TRUE(findings[0].insufficient_data);
  EXPECT_TRUE(Interval(0, 0).empty());
}

TEST(CheckpointTooFrequentCheck, SaysNothingAcrossAStatisticsReset) {
  const model::Snapshot before = Sample(1000, 100, 5);
  EXPECT_TRUE(
      testing::EvaluateCheck(CheckpointTooFrequentCheck(), Sample(1900, 1, 9, 1500), &before)
          .empty());
  EXPECT_TRUE(
      testing::EvaluateCheck(CheckpointTooFrequentCheck(), Sample(1900, 101, 200, 1500), &before)
          .empty());
}

TEST(CheckpointTooFrequentCheck, SaysNothingWhenTheCheckpointerWasNotCollected) {
  model::Snapshot before = Sample(1000, 100, 5);
  before.outcomes[0].status = model::CollectorStatus::kError;
  EXPECT_TRUE(
      testing::EvaluateCheck(CheckpointTooFrequentCheck(), Sample(1900, 100, 15), &before).empty());
}

TEST(CheckpointTooFrequentCheck, AnOverrideForTheServerRaisesTheLevel) {
  const Thresholds t({{"checkpoint.too_frequent", "db1", "server", {0.95, 0.99}}});
  EXPECT_TRUE(Interval(1, 9, t).empty());
}

}  // namespace
}  // namespace pgvigil::analysis
