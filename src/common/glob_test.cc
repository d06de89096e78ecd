// SPDX-License-Identifier: Apache-2.0
#include "common/glob.h"

#include <gtest/gtest.h>

namespace pgvigil::common {
namespace {

TEST(GlobMatch, StarsQuestionMarksAndLiterals) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("app.public.queue_*", "app.public.queue_jobs"));
  EXPECT_FALSE(GlobMatch("app.public.queue_*", "app.public.orders"));
  EXPECT_TRUE(GlobMatch("db?", "db1"));
  EXPECT_FALSE(GlobMatch("db?", "db12"));
  EXPECT_TRUE(GlobMatch("*a*b*", "xxaxxbxx"));  // backtracking over several stars
  EXPECT_FALSE(GlobMatch("*a*b", "xxaxxbxx"));
  EXPECT_TRUE(GlobMatch("[x]", "[x]"));  // no character classes: brackets are literal
}

}  // namespace
}  // namespace pgvigil::common
