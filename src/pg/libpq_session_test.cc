// SPDX-License-Identifier: Apache-2.0
#include "pg/libpq_session.h"

#include <gtest/gtest.h>

namespace pgvigil::pg {
namespace {

using common::StatusCode;

TEST(StatusCodeForSqlState, MapsTheStatesMonitoringMeets) {
  EXPECT_EQ(StatusCodeForSqlState("57014"), StatusCode::kTimeout);      // statement_timeout
  EXPECT_EQ(StatusCodeForSqlState("55P03"), StatusCode::kTimeout);      // lock_timeout
  EXPECT_EQ(StatusCodeForSqlState("42501"), StatusCode::kPermissionDenied);
  EXPECT_EQ(StatusCodeForSqlState("28P01"), StatusCode::kPermissionDenied);
  EXPECT_EQ(StatusCodeForSqlState("42P01"), StatusCode::kUnsupported);  // undefined table
  EXPECT_EQ(StatusCodeForSqlState("55000"), StatusCode::kUnsupported);  // not preloaded
  EXPECT_EQ(StatusCodeForSqlState("3D000"), StatusCode::kNotFound);
  EXPECT_EQ(StatusCodeForSqlState("08006"), StatusCode::kUnavailable);
  EXPECT_EQ(StatusCodeForSqlState("57P01"), StatusCode::kUnavailable);  // admin shutdown
  EXPECT_EQ(StatusCodeForSqlState("XX000"), StatusCode::kInternal);
}

TEST(LibpqSession, RejectsAMalformedDsnBeforeConnecting) {
  SessionOptions options;
  options.dsn = "host=x password='secret";
  auto session = LibpqSession::Connect(options);
  ASSERT_FALSE(session.has_value());
  EXPECT_EQ(session.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(session.error().message().find("secret"), std::string::npos);
}

TEST(ResultSet, BuildsNullsAndValuesForTests) {
  ResultSet r = ResultSet::FromTextForTest({"a", "b"}, {{"1", std::nullopt}, {"", "x"}});
  EXPECT_EQ(r.row_count(), 2);
  EXPECT_EQ(r.column_count(), 2);
  EXPECT_EQ(r.ColumnIndex("b"), 1);
  EXPECT_EQ(r.ColumnIndex("c"), -1);
  EXPECT_EQ(r.Value(0, 0), "1");
  EXPECT_TRUE(r.IsNull(0, 1));
  EXPECT_FALSE(r.IsNull(1, 0));  // empty string is not NULL
  EXPECT_EQ(r.Value(1, 1), "x");
}

}  // namespace
}  // namespace pgvigil::pg
