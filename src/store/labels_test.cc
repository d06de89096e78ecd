// SPDX-License-Identifier: Apache-2.0
#include "store/labels.h"

#include <gtest/gtest.h>

namespace pgvigil::store {
namespace {

TEST(Labels, CanonicalFormIsSortedAndEscaped) {
  EXPECT_EQ(CanonicalLabels({{"state", "idle"}, {"datname", "app"}}), "datname=app,state=idle");
  EXPECT_EQ(CanonicalLabels({}), "");
  const model::MetricLabels odd = {{"datname", "a,b=c\\d"}, {"x", ""}};
  const std::string text = CanonicalLabels(odd);
  EXPECT_EQ(text, "datname=a\\,b\\=c\\\\d,x=");
  auto back = ParseLabels(text);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, odd);
  EXPECT_FALSE(ParseLabels("novalue").has_value());
}

TEST(Labels, AFilterMatchesASubset) {
  const model::MetricLabels l = {{"datname", "app"}, {"state", "idle"}};
  EXPECT_TRUE(LabelsMatch(l, {}));
  EXPECT_TRUE(LabelsMatch(l, {{"state", "idle"}}));
  EXPECT_FALSE(LabelsMatch(l, {{"state", "active"}}));
}

}  // namespace
}  // namespace pgvigil::store
