// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/target_latency_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

model::Snapshot WithRoundTrip(double seconds) {
  model::Snapshot s;
  s.target = "db1";
  s.server.round_trip_seconds = seconds;
  s.server.connect_seconds = 0.02;
  return s;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& s, const Thresholds& t = {}) {
  return testing::EvaluateCheck(TargetLatencyCheck(), s, nullptr, t);
}

TEST(TargetLatencyCheck, WarnsFromFiftyMillisecondsAndIgnoresFasterAnswers) {
  EXPECT_TRUE(Evaluate(WithRoundTrip(0.049)).empty());
  const auto findings = Evaluate(WithRoundTrip(0.050));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "target.latency");
  EXPECT_EQ(findings[0].object, "server");
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_EQ(*findings[0].threshold, 0.050);
  EXPECT_EQ(findings[0].unit, "seconds");
  EXPECT_NE(findings[0].message.find("50 ms"), std::string::npos);
}

TEST(TargetLatencyCheck, IsCriticalFromAQuarterSecond) {
  EXPECT_EQ(Evaluate(WithRoundTrip(0.249))[0].severity, model::Severity::kWarning);
  const auto findings = Evaluate(WithRoundTrip(0.250));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kCritical);
  EXPECT_EQ(*findings[0].value, 0.250);
}

TEST(TargetLatencyCheck, SaysNothingWhenTheRoundTripWasNotMeasured) {
  EXPECT_TRUE(Evaluate(WithRoundTrip(0)).empty());
}

TEST(TargetLatencyCheck, AFarAwayTargetCanHaveItsOwnLevels) {
  const Thresholds t({{"target.latency", "db*", "server", {0.200, 1.0}}});
  EXPECT_TRUE(Evaluate(WithRoundTrip(0.150), t).empty());
  EXPECT_EQ(Evaluate(WithRoundTrip(0.150)).size(), 1u);
}

}  // namespace
}  // namespace pgvigil::analysis
