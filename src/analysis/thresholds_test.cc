// SPDX-License-Identifier: Apache-2.0
#include "analysis/thresholds.h"

#include <gtest/gtest.h>

namespace pgvigil::analysis {
namespace {

using model::Severity;

TEST(GlobMatch, MatchesStarsAndQuestionMarks) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("app.public.orders_*", "app.public.orders_2024"));
  EXPECT_FALSE(GlobMatch("app.public.orders_*", "app.public.order"));
  EXPECT_TRUE(GlobMatch("a?c", "abc"));
  EXPECT_TRUE(GlobMatch("*.log*", "app.public.log_2024"));
  EXPECT_FALSE(GlobMatch("a*b", "acd"));
}

TEST(Thresholds, ClassifiesBothSidesOfEachLevel) {
  const Thresholds t;
  EXPECT_EQ(t.Classify("connection.utilization", 0.69).severity, Severity::kOk);
  EXPECT_EQ(t.Classify("connection.utilization", 0.70).severity, Severity::kWarning);
  EXPECT_EQ(*t.Classify("connection.utilization", 0.70).threshold, 0.70);
  EXPECT_EQ(t.Classify("connection.utilization", 0.90).severity, Severity::kCritical);
  // Lower is worse for the hit ratio.
  EXPECT_EQ(t.Classify("cache.hit_ratio", 0.99).severity, Severity::kOk);
  EXPECT_EQ(t.Classify("cache.hit_ratio", 0.94).severity, Severity::kWarning);
  EXPECT_EQ(t.Classify("cache.hit_ratio", 0.80).severity, Severity::kCritical);
}

TEST(Thresholds, TheMostSpecificOverrideWins) {
  const Thresholds t({{"table.vacuum_overdue", "*", "*", {3.0, {}}},
                      {"table.vacuum_overdue", "prod-*", "*", {4.0, 20.0}},
                      {"table.vacuum_overdue", "*", "app.public.queue_*", {50.0, 100.0}}});
  EXPECT_EQ(*t.Get("table.vacuum_overdue").warning, 3.0);
  EXPECT_EQ(*t.Get("table.vacuum_overdue").critical, 10.0);  // the default's, not overridden
  EXPECT_EQ(*t.Get("table.vacuum_overdue", "prod-eu").warning, 4.0);
  EXPECT_EQ(*t.Get("table.vacuum_overdue", "prod-eu", "app.public.queue_jobs").warning, 50.0);
  EXPECT_EQ(t.Classify("table.vacuum_overdue", 30, "prod-eu", "app.public.queue_jobs").severity,
            Severity::kOk);
  EXPECT_EQ(t.Classify("table.vacuum_overdue", 30, "prod-eu", "app.public.other").severity,
            Severity::kCritical);
}

TEST(Thresholds, EveryDefaultHasAUnitHelpAndAWarningLevel) {
  for (const ThresholdDefault& d : DefaultThresholds()) {
    EXPECT_FALSE(d.unit.empty()) << d.key;
    EXPECT_FALSE(d.help.empty()) << d.key;
    EXPECT_TRUE(d.level.warning.has_value()) << d.key;
    if (d.level.critical && d.level.warning) {
      if (d.direction == Direction::kHigherIsWorse) {
        EXPECT_GE(*d.level.critical, *d.level.warning) << d.key;
      } else {
        EXPECT_LE(*d.level.critical, *d.level.warning) << d.key;
      }
    }
  }
}

}  // namespace
}  // namespace pgvigil::analysis
