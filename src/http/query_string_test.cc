// SPDX-License-Identifier: Apache-2.0
#include "http/query_string.h"

#include <gtest/gtest.h>

namespace pgvigil::http {
namespace {

TEST(PercentDecode, DecodesEscapesAndPlusOnlyWhenAsked) {
  EXPECT_EQ(PercentDecode("a%20b+c%2Fd", true).value(), "a b c/d");
  EXPECT_EQ(PercentDecode("a+b", false).value(), "a+b");
  EXPECT_EQ(PercentDecode("%e2%9c%93", false).value(), "\xe2\x9c\x93");
}

TEST(PercentDecode, RejectsTruncatedOrNonHexEscapes) {
  EXPECT_EQ(PercentDecode("abc%", true).status().code(), common::StatusCode::kInvalidArgument);
  EXPECT_FALSE(PercentDecode("abc%2", true).ok());
  EXPECT_FALSE(PercentDecode("%zz", true).ok());
}

TEST(ParseQuery, KeepsOrderAndRepeatedKeys) {
  const QueryParams params =
      ParseQuery("severity=warning&target=db%201&severity=critical&&flag").value();
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[0], (std::pair<std::string, std::string>("severity", "warning")));
  EXPECT_EQ(params[1], (std::pair<std::string, std::string>("target", "db 1")));
  EXPECT_EQ(params[2], (std::pair<std::string, std::string>("severity", "critical")));
  EXPECT_EQ(params[3], (std::pair<std::string, std::string>("flag", "")));
}

TEST(ParseQuery, KeepsEqualsSignsInValues) {
  const QueryParams params = ParseQuery("expr=a%3Db=c").value();
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0].second, "a=b=c");
}

TEST(ParseQuery, FailsOnAMalformedEscape) { EXPECT_FALSE(ParseQuery("a=%G1").ok()); }

}  // namespace
}  // namespace pgvigil::http
