// SPDX-License-Identifier: Apache-2.0
// pg::LibpqSession against the real server: session settings, one round trip per pipeline,
// failures that stay local to their query, timeouts and a lost connection.
#include <thread>

#include "integration/integration_helpers.h"
#include "pg/libpq_session.h"

namespace pgvigil::testing {
namespace {

std::unique_ptr<pg::LibpqSession> Connect(std::chrono::milliseconds statement_timeout =
                                              std::chrono::milliseconds(5000)) {
  pg::SessionOptions options;
  options.dsn = Sandbox().monitor_dsn;
  options.statement_timeout = statement_timeout;
  auto session = pg::LibpqSession::Connect(options);
  if (!session.has_value()) {
    ADD_FAILURE() << session.error().ToString();
    return nullptr;
  }
  return std::move(session).value();
}

std::vector<pg::QueryOutcome> RunQueries(pg::Session& s, std::vector<pg::Query> queries) {
  return s.RunPipeline(queries);
}

TEST(SessionIntegration, SetsTimeoutsReadOnlyAndApplicationName) {
  auto session = Connect(std::chrono::milliseconds(1234));
  ASSERT_NE(session, nullptr);
  const auto r = RunQueries(*session, {{"settings",
                                 "select current_setting('statement_timeout'), "
                                 "current_setting('lock_timeout'), "
                                 "current_setting('default_transaction_read_only'), "
                                 "current_setting('application_name'), current_setting('jit')"}});
  ASSERT_TRUE(r[0].status.ok()) << r[0].status.ToString();
  EXPECT_EQ(r[0].rows.Value(0, 0), "1234ms");
  EXPECT_EQ(r[0].rows.Value(0, 1), "200ms");
  EXPECT_EQ(r[0].rows.Value(0, 2), "on");
  EXPECT_EQ(r[0].rows.Value(0, 3), "pgvigil");
  EXPECT_EQ(r[0].rows.Value(0, 4), "off");
  const pg::ServerInfo& info = session->server_info();
  EXPECT_EQ(info.major(), Sandbox().major);
  EXPECT_EQ(info.current_user, "pgvigil_monitor");
  EXPECT_TRUE(info.has_pg_monitor);
  EXPECT_FALSE(info.is_superuser);
  EXPECT_NE(info.FindExtension("pg_stat_statements"), nullptr);
  EXPECT_GT(session->connect_duration().count(), 0);
}

TEST(SessionIntegration, WritesAreRefused) {
  auto session = Connect();
  ASSERT_NE(session, nullptr);
  const auto r = RunQueries(*session, {{"write", "create table pgvigil_must_not_exist (x int)"}});
  EXPECT_FALSE(r[0].status.ok());
  EXPECT_EQ(r[0].status.sqlstate(), "25006");  // read_only_sql_transaction
}

// Bind parameters travel apart from the text: a value that is SQL stays a value, also when
// the same prepared statement runs again with another one.
TEST(SessionIntegration, BindsParametersWithoutSplicingThemIntoTheText) {
  auto session = Connect();
  ASSERT_NE(session, nullptr);
  const std::string sql = "select $1::text = 'pg_class', length($1::text), $2::int + 1";
  const auto r = RunQueries(*session, {{"params", sql, {"pg_class", "41"}},
                                       {"params", sql, {"x'; drop table t; --", "1"}},
                                       {"no params", "select 1"}});
  ASSERT_TRUE(r[0].status.ok()) << r[0].status.ToString();
  EXPECT_EQ(r[0].rows.Value(0, 0), "t");
  EXPECT_EQ(r[0].rows.Value(0, 2), "42");
  ASSERT_TRUE(r[1].status.ok()) << r[1].status.ToString();
  EXPECT_EQ(r[1].rows.Value(0, 0), "f");
  EXPECT_EQ(r[1].rows.Value(0, 1), "20");
  EXPECT_EQ(r[1].rows.Value(0, 2), "2");
  EXPECT_TRUE(r[2].status.ok());
}

// The maintenance kind: settings applied, but writes allowed and no statement_timeout.
TEST(SessionIntegration, AMaintenanceSessionMayWrite) {
  auto session = pg::LibpqSession::Connect(
      pg::MaintenanceSessionOptions(Sandbox().admin_dsn, std::chrono::milliseconds(0)));
  ASSERT_TRUE(session.has_value()) << session.error().ToString();
  const auto r = RunQueries(**session, {{"settings",
                                         "select current_setting('default_transaction_read_only'),"
                                         " current_setting('statement_timeout'),"
                                         " current_setting('application_name')"}});
  ASSERT_TRUE(r[0].status.ok()) << r[0].status.ToString();
  EXPECT_EQ(r[0].rows.Value(0, 0), "off");
  EXPECT_EQ(r[0].rows.Value(0, 1), "0");
  EXPECT_EQ(r[0].rows.Value(0, 2), "pgvigil-maintenance");
  EXPECT_GT((*session)->server_info().server_version_num, 0);
  auto w = (*session)->RunSimple("create temporary table pgvigil_maintenance_may_write (x int)");
  EXPECT_TRUE(w.has_value()) << w.error().ToString();
}

TEST(SessionIntegration, AFailingQueryFailsAloneInThePipeline) {
  auto session = Connect();
  ASSERT_NE(session, nullptr);
  const auto r = RunQueries(*session, {{"first", "select 1"},
                                {"broken", "select * from no_such_table_here"},
                                {"third", "select 3"}});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_TRUE(r[0].status.ok());
  EXPECT_EQ(r[0].rows.Value(0, 0), "1");
  EXPECT_EQ(r[1].status.code(), common::StatusCode::kUnsupported);
  EXPECT_EQ(r[1].status.sqlstate(), "42P01");
  EXPECT_NE(r[1].status.message().find("broken"), std::string::npos);
  EXPECT_TRUE(r[2].status.ok()) << r[2].status.ToString();
  EXPECT_EQ(r[2].rows.Value(0, 0), "3");
  EXPECT_TRUE(session->is_connected());
}

TEST(SessionIntegration, StatementTimeoutStopsOneQueryAndTheSessionGoesOn) {
  auto session = Connect(std::chrono::milliseconds(200));
  ASSERT_NE(session, nullptr);
  const auto start = std::chrono::steady_clock::now();
  const auto r = RunQueries(*session, {{"slow", "select pg_sleep(5)"}, {"after", "select 42"}});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(r[0].status.code(), common::StatusCode::kTimeout);
  EXPECT_EQ(r[0].status.sqlstate(), "57014");
  EXPECT_TRUE(r[1].status.ok());
  EXPECT_EQ(RunQueries(*session, {{"again", "select 7"}})[0].rows.Value(0, 0), "7");
}

TEST(SessionIntegration, PreparesEachQueryOncePerConnection) {
  auto session = Connect();
  ASSERT_NE(session, nullptr);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(RunQueries(*session, {{"a", "select 1 as a"}, {"b", "select 2 as b"}})[1].status.ok());
  }
  const auto r = RunQueries(*session, {{"count", "select count(*) from pg_prepared_statements"}});
  ASSERT_TRUE(r[0].status.ok());
  EXPECT_EQ(r[0].rows.Value(0, 0), "3");  // a, b and this one
}

TEST(SessionIntegration, ALostConnectionFailsTheQueriesAndSaysSo) {
  auto session = Connect();
  ASSERT_NE(session, nullptr);
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("select pg_terminate_backend(" + std::to_string(session->backend_pid()) + ")");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto r = RunQueries(*session, {{"one", "select 1"}, {"two", "select 2"}});
  EXPECT_FALSE(r[0].status.ok());
  EXPECT_FALSE(r[1].status.ok());
  EXPECT_EQ(r[1].status.code(), common::StatusCode::kUnavailable) << r[1].status.ToString();
  EXPECT_FALSE(session->is_connected());
  // And stays failed without crashing.
  EXPECT_FALSE(RunQueries(*session, {{"three", "select 3"}})[0].status.ok());
}

}  // namespace
}  // namespace pgvigil::testing
