// SPDX-License-Identifier: Apache-2.0
#include "config/thresholds_file.h"

#include <gtest/gtest.h>

namespace pgvigil::config {
namespace {

TEST(ThresholdsFile, ReadsLevelsWithUnitsAndOverridesInOrder) {
  const auto file = ReadThresholdsText(R"(
thresholds:
  connection.utilization: {warning: 75%, critical: 95%}
  table.vacuum_overdue:
    warning: 3
    overrides:
      - object: "app.public.queue_*"
        warning: 50
      - target: "prod-*"
        critical: 20
targets: []
)",
                                       "t.yaml");
  ASSERT_TRUE(file.errors.empty()) << file.errors[0];
  ASSERT_EQ(file.rules.size(), 4u);
  EXPECT_EQ(file.rules[0].key, "connection.utilization");
  EXPECT_DOUBLE_EQ(file.rules[0].warning->value, 0.75);
  EXPECT_EQ(file.rules[0].warning->kind, common::QuantityKind::kRatio);
  EXPECT_EQ(file.rules[0].where.line, 3);
  EXPECT_EQ(file.rules[1].key, "table.vacuum_overdue");
  EXPECT_EQ(file.rules[1].object_pattern, "*");
  EXPECT_EQ(file.rules[2].object_pattern, "app.public.queue_*");
  EXPECT_DOUBLE_EQ(file.rules[2].warning->value, 50);
  EXPECT_FALSE(file.rules[2].critical.has_value());
  EXPECT_EQ(file.rules[3].target_pattern, "prod-*");
}

TEST(ThresholdsFile, ReportsEveryProblemWithItsLine) {
  const auto file = ReadThresholdsText(R"(thresholds:
  a.b: {warning: fast}
  c.d: {warn: 1}
  e.f:
    overrides:
      - warning: 1
      - object: x
        critical: [1]
oops: 1
)",
                                       "t.yaml");
  ASSERT_EQ(file.errors.size(), 5u);
  EXPECT_EQ(file.errors[0].rfind("t.yaml:2: a.b.warning: 'fast'", 0), 0u) << file.errors[0];
  EXPECT_EQ(file.errors[1].rfind("t.yaml:3: unknown key 'warn'", 0), 0u) << file.errors[1];
  EXPECT_EQ(file.errors[2].rfind("t.yaml:6:", 0), 0u) << file.errors[2];
  EXPECT_NE(file.errors[2].find("needs a target or an object"), std::string::npos);
  EXPECT_EQ(file.errors[3].rfind("t.yaml:8: e.f.critical", 0), 0u) << file.errors[3];
  EXPECT_EQ(file.errors[4].rfind("t.yaml:9: unknown top-level key 'oops'", 0), 0u) << file.errors[4];
}

TEST(ThresholdsFile, MalformedYamlIsOneErrorWithALine) {
  const auto file = ReadThresholdsText("thresholds:\n  a: {warning: 1\n", "t.yaml");
  ASSERT_EQ(file.errors.size(), 1u);
  EXPECT_EQ(file.errors[0].rfind("t.yaml:", 0), 0u);
}

TEST(ThresholdsFile, AMissingFileSaysSo) {
  const auto file = ReadThresholdsFile("/nonexistent/pgvigil.yaml");
  ASSERT_EQ(file.errors.size(), 1u);
  EXPECT_NE(file.errors[0].find("/nonexistent/pgvigil.yaml"), std::string::npos);
}

}  // namespace
}  // namespace pgvigil::config
