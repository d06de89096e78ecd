// SPDX-License-Identifier: Apache-2.0
#include "daemon/thresholds_config.h"

#include <gtest/gtest.h>

namespace pgvigil::daemon {
namespace {

TEST(BuildThresholds, AppliesValidRulesInTheDefaultsUnits) {
  const auto t = BuildThresholds(config::ReadThresholdsText(R"(thresholds:
  connection.utilization: {warning: 75%, critical: 0.95}
  connection.idle_in_transaction: {warning: 2min}
  tempfiles.spill: {critical: 50MB}
  table.vacuum_overdue:
    overrides:
      - object: "app.public.queue_*"
        warning: 50
)",
                                                            "t.yaml"));
  ASSERT_TRUE(t.has_value()) << t.error().message();
  EXPECT_DOUBLE_EQ(*t->Get("connection.utilization").warning, 0.75);
  EXPECT_DOUBLE_EQ(*t->Get("connection.utilization").critical, 0.95);
  EXPECT_DOUBLE_EQ(*t->Get("connection.idle_in_transaction").warning, 120);
  EXPECT_DOUBLE_EQ(*t->Get("tempfiles.spill").critical, 50.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(*t->Get("table.vacuum_overdue", "x", "app.public.queue_jobs").warning, 50);
  EXPECT_DOUBLE_EQ(*t->Get("table.vacuum_overdue", "x", "app.public.orders").warning, 2);
}

TEST(BuildThresholds, RejectsUnknownKeysUnitsThatDoNotFitAndSharesAboveOne) {
  const auto t = BuildThresholds(config::ReadThresholdsText(R"(thresholds:
  no.such_check: {warning: 1}
  connection.utilization: {warning: 5min}
  cache.hit_ratio: {critical: 90}
  locks.blocking: {warning: 10GB}
)",
                                                            "t.yaml"));
  ASSERT_FALSE(t.has_value());
  const std::string& m = t.error().message();
  EXPECT_NE(m.find("t.yaml:2: unknown threshold 'no.such_check'"), std::string::npos) << m;
  EXPECT_NE(m.find("t.yaml:3: connection.utilization.warning: a duration does not fit"), std::string::npos) << m;
  EXPECT_NE(m.find("t.yaml:4: cache.hit_ratio.critical: 90 is not a share"), std::string::npos) << m;
  EXPECT_NE(m.find("t.yaml:5: locks.blocking.warning: a size does not fit"), std::string::npos) << m;
}

}  // namespace
}  // namespace pgvigil::daemon
