// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/storage_size_limit_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

constexpr double kGB = 1024.0 * 1024 * 1024;
const common::Timestamp kNow = common::TimestampFromEpochSeconds(1.8e9);

// A sample `days_ago` days before kNow in which two databases take `gb` GB together.
model::Snapshot Sample(double gb, double days_ago = 0) {
  model::Snapshot s;
  s.target = "prod";
  s.collected_at = kNow - std::chrono::seconds(static_cast<std::int64_t>(days_ago * 86400));
  s.outcomes = {testing::OkOutcome("storage")};
  model::DatabaseSize app;
  app.datname = "app";
  app.size_bytes = static_cast<std::int64_t>(gb * kGB * 0.75);
  model::DatabaseSize other;
  other.datname = "postgres";
  other.size_bytes = static_cast<std::int64_t>(gb * kGB) - app.size_bytes;
  s.database_sizes = {app, other};
  return s;
}

// A 100 GB plan limit for target "prod".
const Thresholds kLimit({{"storage.size_limit.limit_bytes", "prod", "*", {100 * kGB, {}}}});

std::vector<model::Finding> Evaluate(const model::Snapshot& s, const Thresholds& t = kLimit,
                                     const History& history = {}) {
  return testing::EvaluateCheck(StorageSizeLimitCheck(), s, nullptr, t, history);
}

TEST(StorageSizeLimitCheck, SaysNothingWithoutAConfiguredLimit) {
  EXPECT_TRUE(Evaluate(Sample(5000), Thresholds()).empty());
}

TEST(StorageSizeLimitCheck, JudgesTheSumOfAllDatabasesAgainstTheLimit) {
  EXPECT_TRUE(Evaluate(Sample(79.9)).empty());
  auto findings = Evaluate(Sample(80));
  ASSERT_EQ(findings.size(), 1u);
  const model::Finding& f = findings[0];
  EXPECT_EQ(f.id, "storage.size_limit");
  EXPECT_EQ(f.object, "server");
  EXPECT_EQ(f.severity, model::Severity::kWarning);
  EXPECT_EQ(f.unit, "ratio");
  EXPECT_NEAR(*f.value, 0.80, 1e-9);
  EXPECT_EQ(f.message, "the databases take 80 GB, 80 % of the 100 GB plan limit");
  EXPECT_EQ(Evaluate(Sample(89.9)).at(0).severity, model::Severity::kWarning);
  EXPECT_EQ(Evaluate(Sample(90)).at(0).severity, model::Severity::kCritical);
}

TEST(StorageSizeLimitCheck, ALimitSetForAnotherTargetDoesNotApply) {
  const Thresholds other({{"storage.size_limit.limit_bytes", "staging", "*", {100 * kGB, {}}}});
  EXPECT_TRUE(Evaluate(Sample(95), other).empty());
}

TEST(StorageSizeLimitCheck, ClassifiesDaysToFullFromTheGrowthOfTheHistory) {
  // 1 GB a day for three days, 50 GB now: full in 50 days (no finding), 80 days at half a GB.
  const model::Snapshot h0 = Sample(47, 3), h1 = Sample(48, 2), h2 = Sample(49, 1);
  History history{{&h0, &h1, &h2}};
  EXPECT_TRUE(Evaluate(Sample(50), kLimit, history).empty());
  // 2.5 GB a day, 75 GB now: 25 GB left, full in 10 days: a warning (under 30 days).
  const model::Snapshot g0 = Sample(67.5, 3), g1 = Sample(70, 2), g2 = Sample(72.5, 1);
  history = History{{&g0, &g1, &g2}};
  auto findings = Evaluate(Sample(75), kLimit, history);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_EQ(findings[0].unit, "days");
  EXPECT_NEAR(*findings[0].value, 10.0, 0.01);
  EXPECT_EQ(*findings[0].threshold, 30);
  EXPECT_NE(findings[0].message.find("growing 2.5 GB a day, full in 10 days"), std::string::npos)
      << findings[0].message;
  // 5 GB a day: full in 5 days, critical (7 days).
  const model::Snapshot k0 = Sample(60, 3), k1 = Sample(65, 2), k2 = Sample(70, 1);
  history = History{{&k0, &k1, &k2}};
  findings = Evaluate(Sample(75), kLimit, history);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kCritical);
  EXPECT_NEAR(*findings[0].value, 5.0, 0.01);
}

TEST(StorageSizeLimitCheck, NeedsHistorySpanningADayForATrend) {
  const model::Snapshot h0 = Sample(60, 0.5);  // 15 GB in 12 hours: a bulk load, not a trend
  const History history{{&h0}};
  EXPECT_TRUE(Evaluate(Sample(75), kLimit, history).empty());
  const model::Snapshot h1 = Sample(60, 1.0);
  const History day{{&h1}};
  EXPECT_EQ(Evaluate(Sample(75), kLimit, day).size(), 1u);
}

TEST(StorageSizeLimitCheck, AShrinkingServerHasNoDaysToFull) {
  const model::Snapshot h0 = Sample(85, 2), h1 = Sample(80, 1);
  const History history{{&h0, &h1}};
  const auto findings = Evaluate(Sample(82), kLimit, history);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].unit, "ratio");
  EXPECT_EQ(findings[0].message.find("full in"), std::string::npos);
}

TEST(StorageSizeLimitCheck, IgnoresSamplesWithoutSizes) {
  model::Snapshot h0 = Sample(10, 3);
  h0.outcomes[0].status = model::CollectorStatus::kError;  // its sizes do not count
  const model::Snapshot h1 = Sample(72.5, 0.2);
  const History history{{&h0, &h1}};
  EXPECT_TRUE(Evaluate(Sample(75), kLimit, history).empty());
  model::Snapshot now = Sample(95);
  now.outcomes[0].status = model::CollectorStatus::kSkipped;
  EXPECT_TRUE(Evaluate(now).empty());
}

}  // namespace
}  // namespace pgvigil::analysis
