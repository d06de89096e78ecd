// SPDX-License-Identifier: Apache-2.0
#include "common/units.h"

#include <gtest/gtest.h>

namespace pgvigil::common {
namespace {

TEST(ParseQuantity, ReadsUnitsIntoBaseValues) {
  EXPECT_DOUBLE_EQ(ParseQuantity("80%")->value, 0.8);
  EXPECT_EQ(ParseQuantity("80%")->kind, QuantityKind::kRatio);
  EXPECT_DOUBLE_EQ(ParseQuantity("5min")->value, 300);
  EXPECT_DOUBLE_EQ(ParseQuantity("250ms")->value, 0.25);
  EXPECT_DOUBLE_EQ(ParseQuantity("1GB")->value, 1073741824.0);
  EXPECT_EQ(ParseQuantity("1GB")->kind, QuantityKind::kBytes);
  EXPECT_DOUBLE_EQ(ParseQuantity(" 2 h ")->value, 7200);
  EXPECT_DOUBLE_EQ(ParseQuantity("1000")->value, 1000);
  EXPECT_EQ(ParseQuantity("1000")->kind, QuantityKind::kNumber);
}

TEST(ParseQuantity, RejectsGarbageWithAReason) {
  for (const char* bad : {"", "abc", "5 parsecs", "%", "1e400", "-5s", "5s5"}) {
    auto q = ParseQuantity(bad);
    EXPECT_FALSE(q.has_value()) << bad;
  }
  EXPECT_NE(ParseQuantity("fast").error().message().find("fast"), std::string::npos);
}

TEST(ParseDurationSeconds, AcceptsDurationsAndPlainSecondsOnly) {
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("5s"), 5);
  EXPECT_DOUBLE_EQ(*ParseDurationSeconds("3"), 3);
  EXPECT_FALSE(ParseDurationSeconds("5MB").has_value());
}

}  // namespace
}  // namespace pgvigil::common
