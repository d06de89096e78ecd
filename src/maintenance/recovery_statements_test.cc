// SPDX-License-Identifier: Apache-2.0
#include "maintenance/recovery_statements.h"

#include <gtest/gtest.h>

namespace pgvigil::maintenance {
namespace {

TEST(RecoverySignalSql, PinsThePidToItsBackendStartInOneStatement) {
  const std::string sql =
      RecoverySignalSql(RecoverySignal::kCancel, 4242, "2026-11-22T07:00:00.000001Z");
  EXPECT_EQ(sql.find('\n'), std::string::npos);
  EXPECT_EQ(sql.find("--"), std::string::npos);
  EXPECT_EQ(sql.find('$'), std::string::npos);
  EXPECT_TRUE(sql.starts_with("select /* pgvigil */")) << sql;
  EXPECT_NE(sql.find("pg_cancel_backend(a.pid)"), std::string::npos);
  EXPECT_NE(
      sql.find("a.pid = 4242 and a.backend_start = '2026-11-22T07:00:00.000001Z'::timestamptz"),
      std::string::npos)
      << sql;
  EXPECT_EQ(sql.find(';'), sql.size() - 1);
}

TEST(RecoverySignalQuery, SendsPidAndBackendStartAsBindParameters) {
  const pg::Query q = RecoverySignalQuery(RecoverySignal::kTerminate, 4242, "x'; select 1; --");
  EXPECT_NE(q.sql.find("a.pid = $1 and a.backend_start = $2::timestamptz"), std::string::npos)
      << q.sql;
  EXPECT_EQ(q.sql.find("4242"), std::string::npos);
  EXPECT_EQ(q.params, (std::vector<std::string>{"4242", "x'; select 1; --"}));
  // What op.sql shows is the same statement with the values written in.
  EXPECT_EQ(RecoverySignalSql(RecoverySignal::kTerminate, 4242, "2026-11-22T07:00:00Z"), [&] {
    std::string shown = q.sql;
    shown.replace(shown.find("$1"), 2, "4242");
    shown.replace(shown.find("$2"), 2, "'2026-11-22T07:00:00Z'");
    shown.replace(shown.find("$1"), 2, "4242");
    return shown;
  }());
}

TEST(RecoverySignalSql, UsesTheFunctionOfEachSignal) {
  EXPECT_NE(RecoverySignalSql(RecoverySignal::kTerminate, 1, "x").find("pg_terminate_backend"),
            std::string::npos);
  const std::string first = RecoverySignalSql(RecoverySignal::kCancelIfActive, 1, "x");
  EXPECT_NE(first.find("when a.state = 'active' then pg_catalog.pg_cancel_backend"),
            std::string::npos);
}

TEST(RecoverySignalSql, QuotesAHostileBackendStart) {
  const std::string sql =
      RecoverySignalSql(RecoverySignal::kTerminate, 7, "x'; select pg_terminate_backend(1); --");
  EXPECT_NE(sql.find("'x''; select pg_terminate_backend(1); --'::timestamptz"), std::string::npos)
      << sql;
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
