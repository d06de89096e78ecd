// SPDX-License-Identifier: Apache-2.0
// `pgvigil maintain` end to end: the printed SQL and verdicts, the JSON, the exit codes.
#include "maintenance/maintenance_support.h"

namespace pgvigil::testing {
namespace {

TEST(MaintainCli, DryRunPrintsTheSqlAndGuardsAndExecutesNothing) {
  const std::string t = UniqueName("mt_cli");
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE TABLE " + t + " (id int)");
  ScopeExit drop([&] { admin.Exec("DROP TABLE IF EXISTS " + t); });
  const CommandResult r = RunCommand({PgvigilBinary(), "maintain", "vacuum", "--dsn",
                                      Sandbox().admin_dsn, "--table", t, "--analyze", "--dry-run"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("sql: VACUUM (ANALYZE) \"public\".\"" + t + "\""), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("pass   object_exists"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("state: planned"), std::string::npos) << r.out;
  EXPECT_EQ(admin.Exec("SELECT coalesce(vacuum_count, 0) FROM pg_stat_user_tables WHERE relid = '" +
                       t + "'::regclass"),
            "0");
}

TEST(MaintainCli, ExitCodesSayRefusedAndDone) {
  const std::string t = UniqueName("mt_cli");
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE TABLE " + t + " (id int)");
  ScopeExit drop([&] { admin.Exec("DROP TABLE IF EXISTS " + t); });
  // VACUUM FULL outside any window: refused, 1; as JSON, the OP shape.
  CommandResult r = RunCommand({PgvigilBinary(), "maintain", "vacuum", "--dsn", Sandbox().admin_dsn,
                                "--table", t, "--full", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("\"state\": \"refused\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"guard\": \"maintenance_window\""), std::string::npos) << r.out;
  // Forced with a reason: done, 0.
  r = RunCommand({PgvigilBinary(), "maintain", "vacuum", "--dsn", Sandbox().admin_dsn, "--table", t,
                  "--full", "--force", "--reason", "cli test"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("state: completed"), std::string::npos) << r.out;
  // A missing table: refused; bad usage: 2.
  r = RunCommand({PgvigilBinary(), "maintain", "analyze", "--dsn", Sandbox().admin_dsn, "--table",
                  t + "_missing"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  r = RunCommand(
      {PgvigilBinary(), "maintain", "analyze", "--dsn", Sandbox().admin_dsn, "--index", t});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  // The DSN's password never appears in the output.
  r = RunCommand({PgvigilBinary(), "maintain", "analyze", "--dsn",
                  "host=127.0.0.1 port=1 user=x password=cli-secret-pw dbname=x", "--table", t});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ((r.out + r.err).find("cli-secret-pw"), std::string::npos) << r.out << r.err;
}

TEST(MaintainCli, DatabaseSelectsTheDatabaseOfTheDsn) {
  const std::string t = UniqueName("mt_cli_db");
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE TABLE " + t + " (id int)");
  ScopeExit drop([&] { admin.Exec("DROP TABLE IF EXISTS " + t); });
  std::string dsn = Sandbox().admin_dsn;
  const std::string db = "dbname=pgvigil_test";
  ASSERT_NE(dsn.find(db), std::string::npos) << dsn;
  dsn.replace(dsn.find(db), db.size(), "dbname=postgres");
  // The table is in pgvigil_test only: not found through the DSN's own database…
  CommandResult r =
      RunCommand({PgvigilBinary(), "maintain", "analyze", "--dsn", dsn, "--table", t, "--dry-run"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  // …found with --database.
  r = RunCommand({PgvigilBinary(), "maintain", "analyze", "--dsn", dsn, "--database",
                  "pgvigil_test", "--table", t, "--dry-run", "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"database\": \"pgvigil_test\""), std::string::npos) << r.out;
}

}  // namespace
}  // namespace pgvigil::testing
