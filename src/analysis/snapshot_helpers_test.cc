// SPDX-License-Identifier: Apache-2.0
#include "analysis/snapshot_helpers.h"

#include <gtest/gtest.h>

namespace pgvigil::analysis {
namespace {

TEST(QuoteIdent, AlwaysQuotesAndDoublesEmbeddedQuotes) {
  EXPECT_EQ(QuoteIdent("orders"), "\"orders\"");
  EXPECT_EQ(QuoteIdent("Orders"), "\"Orders\"");
  EXPECT_EQ(QuoteIdent("we\"ird"), "\"we\"\"ird\"");
  EXPECT_EQ(QuoteIdent("x\"; DROP TABLE t; --"), "\"x\"\"; DROP TABLE t; --\"");
}

TEST(QuoteIdent, QualifiesSchemaAndName) {
  EXPECT_EQ(QuoteQualified("public", "we\"ird"), "\"public\".\"we\"\"ird\"");
}

TEST(QuoteStringLiteral, DoublesQuotesAndEscapesBackslashesAsQuoteLiteralDoes) {
  EXPECT_EQ(QuoteStringLiteral("standby1"), "'standby1'");
  EXPECT_EQ(QuoteStringLiteral("it's'); DROP TABLE t; --"), "'it''s''); DROP TABLE t; --'");
  EXPECT_EQ(QuoteStringLiteral("a\\b'c"), "E'a\\\\b''c'");
}

TEST(FormatCount, SaysMillionsAndBillionsInWords) {
  EXPECT_EQ(FormatCount(950), "950");
  EXPECT_EQ(FormatCount(123456), "123456");
  EXPECT_EQ(FormatCount(1.24e6), "1.2 million");
  EXPECT_EQ(FormatCount(150e6), "150 million");
  EXPECT_EQ(FormatCount(1.5e9), "1.5 billion");
}

}  // namespace
}  // namespace pgvigil::analysis
