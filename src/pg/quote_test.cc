// SPDX-License-Identifier: Apache-2.0
#include "pg/quote.h"

#include <gtest/gtest.h>

namespace pgvigil::pg {
namespace {

TEST(QuoteIdentifier, AlwaysQuotesAndDoublesEmbeddedQuotes) {
  EXPECT_EQ(QuoteIdentifier("orders"), "\"orders\"");
  EXPECT_EQ(QuoteIdentifier("Mixed Case"), "\"Mixed Case\"");
  EXPECT_EQ(QuoteIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(QuoteIdentifier("x\"; DROP TABLE t; --"), "\"x\"\"; DROP TABLE t; --\"");
}

TEST(QuoteIdentifier, DropsNulBytes) {
  EXPECT_EQ(QuoteIdentifier(std::string_view("a\0b", 3)), "\"ab\"");
}

TEST(QuoteQualifiedName, QuotesBothParts) {
  EXPECT_EQ(QuoteQualifiedName("my schema", "t\"1"), "\"my schema\".\"t\"\"1\"");
}

TEST(QuoteLiteral, DoublesQuotesAndEscapesBackslashes) {
  EXPECT_EQ(QuoteLiteral("it's"), "'it''s'");
  EXPECT_EQ(QuoteLiteral("a\\b"), "E'a\\\\b'");
  EXPECT_EQ(QuoteLiteral("5000ms"), "'5000ms'");
}

}  // namespace
}  // namespace pgvigil::pg
