// SPDX-License-Identifier: Apache-2.0
#include "maintenance/recovery_statements.h"

#include <gtest/gtest.h>

namespace pgvigil::maintenance {
namespace {

TEST(RecoverySignalQuery, PinsThePidToItsBackendStartInOneStatement) {
  const pg::Query q =
      RecoverySignalQuery(RecoverySignal::kCancel, 4242, "2026-11-22T07:00:00.000001Z");
  EXPECT_EQ(q.sql.find('\n'), std::string::npos);
  EXPECT_EQ(q.sql.find("--"), std::string::npos);
  EXPECT_TRUE(q.sql.starts_with("select /* pgvigil */")) << q.sql;
  EXPECT_NE(q.sql.find("pg_cancel_backend(a.pid)"), std::string::npos);
  EXPECT_NE(q.sql.find("a.pid = $1 and a.backend_start = $2::timestamptz"), std::string::npos)
      << q.sql;
  EXPECT_EQ(q.sql.find(';'), q.sql.size() - 1);
  EXPECT_EQ(q.params, (std::vector<std::string>{"4242", "2026-11-22T07:00:00.000001Z"}));
}

TEST(RecoverySignalQuery, KeepsAHostileBackendStartOutOfTheText) {
  const std::string hostile = "x'; select pg_terminate_backend(1); --";
  const pg::Query q = RecoverySignalQuery(RecoverySignal::kTerminate, 4242, hostile);
  EXPECT_EQ(q.sql.find("4242"), std::string::npos) << q.sql;
  EXPECT_EQ(q.sql.find("select pg_terminate_backend(1)"), std::string::npos) << q.sql;
  EXPECT_EQ(q.sql.find("x'"), std::string::npos) << q.sql;
  EXPECT_EQ(q.params, (std::vector<std::string>{"4242", hostile}));
}

TEST(RecoverySignalQuery, UsesTheFunctionOfEachSignal) {
  EXPECT_NE(
      RecoverySignalQuery(RecoverySignal::kTerminate, 1, "x").sql.find("pg_terminate_backend"),
      std::string::npos);
  const std::string first = RecoverySignalQuery(RecoverySignal::kCancelIfActive, 1, "x").sql;
  EXPECT_NE(first.find("when a.state = 'active' then pg_catalog.pg_cancel_backend"),
            std::string::npos);
  EXPECT_NE(first.find("$1"), std::string::npos);
  EXPECT_NE(first.find("$2"), std::string::npos);
}

TEST(RecoveryActivitySql, ReadsWhatTheSelectionNeeds) {
  const std::string_view sql = RecoveryActivitySql();
  for (const char* column :
       {"pid", "backend_start", "datname", "usename", "rolsuper", "application_name",
        "backend_type", "state", "query_age_seconds", "state_age_seconds", "query", "is_self"}) {
    EXPECT_NE(sql.find(column), std::string_view::npos) << column;
  }
  // Reading must never signal: a dry run leaves no signalling statement on the server.
  EXPECT_EQ(sql.find("pg_cancel_backend"), std::string_view::npos);
  EXPECT_EQ(sql.find("pg_terminate_backend"), std::string_view::npos);
}

}  // namespace
}  // namespace pgvigil::maintenance
