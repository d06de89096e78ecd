// SPDX-License-Identifier: Apache-2.0
#include "analysis/query_text.h"

#include <gtest/gtest.h>

namespace pgvigil::analysis {
namespace {

TEST(OneLineQuery, FoldsWhiteSpaceIntoSingleSpaces) {
  EXPECT_EQ(OneLineQuery("  select *\n\tfrom  t\r\n where a = $1  "),
            "select * from t where a = $1");
}

TEST(OneLineQuery, CutsLongTextWithAnEllipsis) {
  EXPECT_EQ(OneLineQuery("select abcdef", 9), "select ab…");
  EXPECT_EQ(OneLineQuery("select a", 8), "select a");
}

TEST(OneLineQuery, NeverSplitsAMultiByteCharacter) {
  // "é" is two bytes; a cut inside it steps back before it.
  EXPECT_EQ(OneLineQuery("select 'é'", 9), "select '…");
}

}  // namespace
}  // namespace pgvigil::analysis
