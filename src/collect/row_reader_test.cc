// SPDX-License-Identifier: Apache-2.0
#include "collect/row_reader.h"

#include <gtest/gtest.h>

namespace pgvigil::collect {
namespace {

TEST(RowReader, ReadsTypedValuesAndNulls) {
  const pg::ResultSet rs = pg::ResultSet::FromTextForTest(
      {"n", "d", "b", "s", "t", "arr", "ints"},
      {{"42", "1.5", "t", "x", "1700000000.25", "{a,\"b c\",NULL}", "{1,2}"},
       {std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
        std::nullopt}});
  RowReader r(rs, "q");
  r.Seek(0);
  EXPECT_EQ(r.Get<std::int64_t>("n"), 42);
  EXPECT_DOUBLE_EQ(r.Get<double>("d"), 1.5);
  EXPECT_TRUE(r.Get<bool>("b"));
  EXPECT_EQ(r.Get<std::string>("s"), "x");
  EXPECT_EQ(r.Get<common::Timestamp>("t").time_since_epoch().count(), 1700000000250000);
  EXPECT_EQ(r.Get<std::vector<std::string>>("arr"), (std::vector<std::string>{"a", "b c", ""}));
  EXPECT_EQ(r.Get<std::vector<int>>("ints"), (std::vector<int>{1, 2}));
  r.Seek(1);
  EXPECT_FALSE(r.Get<std::optional<std::int64_t>>("n").has_value());
  EXPECT_EQ(r.Get<std::int64_t>("n"), 0);
  EXPECT_TRUE(r.status().ok());
}

TEST(RowReader, AnAbsentOptionalColumnIsEmptyButAnAbsentRequiredOneIsAnError) {
  const pg::ResultSet rs = pg::ResultSet::FromTextForTest({"a"}, {{"1"}});
  RowReader r(rs, "q");
  r.Seek(0);
  EXPECT_FALSE(r.Get<std::optional<int>>("newer_column").has_value());
  EXPECT_TRUE(r.status().ok());
  r.Get<int>("missing");
  EXPECT_FALSE(r.status().ok());
  EXPECT_NE(r.status().message().find("missing"), std::string::npos);
}

TEST(RowReader, AMalformedNumberIsAnError) {
  const pg::ResultSet rs = pg::ResultSet::FromTextForTest({"a"}, {{"12x"}});
  RowReader r(rs, "q");
  r.Seek(0);
  r.Get<int>("a");
  EXPECT_FALSE(r.status().ok());
}

TEST(RowReader, ParsesEscapedArrayItems) {
  std::vector<std::string> out;
  ASSERT_TRUE(RowReader::ParseTextArray("{\"a\\\"b\",\"c,d\",\"\"}", out));
  EXPECT_EQ(out, (std::vector<std::string>{"a\"b", "c,d", ""}));
  ASSERT_TRUE(RowReader::ParseTextArray("{}", out));
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(RowReader::ParseTextArray("nope", out));
  EXPECT_FALSE(RowReader::ParseTextArray("{\"open}", out));
}

}  // namespace
}  // namespace pgvigil::collect
