// SPDX-License-Identifier: Apache-2.0
// Names are data, never SQL: hostile, quoted, reserved, mixed-case, Unicode and 63-byte table
// names each reach exactly their table (log_statement=all shows one statement per action, and
// `victim` survives); a 64-byte name is refused before any SQL; a dry run executes nothing.
#include <fstream>
#include <sstream>

#include "maintenance/maintenance_support.h"

namespace pgvigil::testing {
namespace {

using model::GuardOutcome;
using model::OperationKind;
using model::OperationState;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

TEST(MaintenanceNames, HostileNamesTouchExactlyTheirTable) {
  const std::string schema = UniqueName("mt_names");
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE SCHEMA " + schema);
  ScopeExit drop([&] { admin.Exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE"); });
  std::string sixty_three = "t63_";
  while (sixty_three.size() < 63) sixty_three += 'x';
  const std::vector<std::string> names = {"a\"; DROP TABLE victim; --",
                                          "\"quoted\"",
                                          "select",
                                          "MiXeD",
                                          "mixed",
                                          "täble_✓",
                                          sixty_three};
  const std::string q_schema = pg::QuoteIdentifier(schema);
  admin.Exec("CREATE TABLE " + q_schema + ".victim (id int)");
  admin.Exec("CREATE TABLE " + q_schema + ".a (id int)");  // what a broken quoting might hit
  for (const std::string& n : names) {
    admin.Exec("CREATE TABLE " + pg::QuoteQualifiedName(schema, n) + " (id int)");
    admin.Exec("INSERT INTO " + pg::QuoteQualifiedName(schema, n) + " VALUES (1)");
  }

  admin.Exec("ALTER SYSTEM SET log_statement = 'all'");
  admin.Exec("SELECT pg_reload_conf()");
  ScopeExit reset([&] {
    admin.Exec("ALTER SYSTEM RESET log_statement");
    admin.Exec("SELECT pg_reload_conf()");
  });
  // The reload reaches new sessions at once; give the postmaster a moment to process it.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const std::string log_path = Sandbox().dir + "/postgres.log";
  const size_t log_start = ReadFile(log_path).size();

  const auto policy = ShortLockPolicy();
  auto runner = maintenance::MakeOperationRunner(common::SystemClock::Instance());
  for (const std::string& n : names) {
    auto planned = runner->Plan(RequestFor(OperationKind::kAnalyze, n, schema), ContextFor(policy));
    ASSERT_EQ(planned.state, OperationState::kPlanned) << n << ": " << Describe(planned);
    EXPECT_EQ(planned.sql, "ANALYZE " + pg::QuoteQualifiedName(schema, n));
    ASSERT_TRUE(planned.relation.has_value());
    EXPECT_EQ(planned.relation->name, n);
    maintenance::CancelFlag cancel;
    auto done = runner->Execute(planned, ContextFor(policy), {}, cancel);
    EXPECT_EQ(done.state, OperationState::kCompleted) << n << ": " << Describe(done);
  }

  // Each table was analyzed exactly once, the others never.
  for (const std::string& n : names) {
    const std::string analyzed =
        "SELECT analyze_count FROM pg_stat_user_tables WHERE schemaname = " +
        pg::QuoteLiteral(schema) + " AND relname = " + pg::QuoteLiteral(n);
    EXPECT_TRUE(Eventually([&] { return admin.Exec(analyzed) == "1"; }))
        << n << ": analyze_count " << admin.Exec(analyzed);
  }
  for (const std::string other : {"victim", "a"}) {
    EXPECT_EQ(admin.Exec("SELECT analyze_count FROM pg_stat_user_tables WHERE schemaname = " +
                         pg::QuoteLiteral(schema) + " AND relname = '" + other + "'"),
              "0")
        << other;
  }
  EXPECT_EQ(admin.Exec("SELECT count(*) FROM " + q_schema + ".victim"), "0");  // still exists

  // The server log: every maintenance statement of ours, once per action, nothing else.
  std::string log;
  ASSERT_TRUE(Eventually([&] {
    log = ReadFile(log_path).substr(log_start);
    return Count(log, "statement: ANALYZE ") >= names.size();
  })) << log;
  size_t ours = 0;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("pgvigil-maintenance") == std::string::npos) continue;
    // Statements our sessions ran as text (the pipelined catalogue reads show as "execute",
    // their names only in the parameters' DETAIL line).
    for (const char* verb : {"statement: ANALYZE", "statement: VACUUM", "statement: REINDEX",
                             "statement: DROP", "statement: TRUNCATE", "statement: DELETE"}) {
      if (line.find(verb) != std::string::npos) {
        ++ours;
        EXPECT_NE(line.find("statement: ANALYZE " + pg::QuoteIdentifier(schema) + "."),
                  std::string::npos)
            << line;
      }
    }
  }
  EXPECT_EQ(ours, names.size()) << log;
  for (const std::string& n : names) {
    EXPECT_EQ(Count(log, "statement: ANALYZE " + pg::QuoteQualifiedName(schema, n) + "\n"), 1u)
        << n;
  }
}

TEST(MaintenanceNames, ASixtyFourByteNameIsRefusedBeforeAnySql) {
  std::string long_name(64, 'n');
  auto policy = ShortLockPolicy();
  auto runner = maintenance::MakeOperationRunner(common::SystemClock::Instance());
  // A DSN nobody listens on: a refusal that needed the server would say "cannot check".
  auto context = ContextFor(policy, "host=127.0.0.1 port=1 dbname=x user=x connect_timeout=2");
  auto op = runner->Plan(RequestFor(OperationKind::kVacuum, long_name), context);
  EXPECT_EQ(op.state, OperationState::kRefused);
  ASSERT_EQ(op.guards.size(), 1u) << Describe(op);
  EXPECT_EQ(op.guards[0].guard, "valid_name");
  EXPECT_EQ(op.guards[0].outcome, GuardOutcome::kRefuse);
  EXPECT_NE(op.message.find("63"), std::string::npos) << op.message;
  EXPECT_TRUE(op.sql.empty());
}

TEST(MaintenanceNames, AMissingOrAmbiguousNameIsRefusedWithTheReason) {
  const std::string t = UniqueName("mt_ambiguous");
  const std::string s1 = t + "_s1";
  const std::string s2 = t + "_s2";
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE SCHEMA " + s1 + "; CREATE SCHEMA " + s2);
  ScopeExit drop([&] {
    admin.Exec("DROP SCHEMA IF EXISTS " + s1 + " CASCADE; DROP SCHEMA IF EXISTS " + s2 +
               " CASCADE");
  });
  admin.Exec("CREATE TABLE " + s1 + "." + t + " (id int); CREATE TABLE " + s2 + "." + t +
             " (id int)");
  const auto policy = ShortLockPolicy();
  auto runner = maintenance::MakeOperationRunner(common::SystemClock::Instance());
  auto ambiguous = runner->Plan(RequestFor(OperationKind::kVacuum, t, ""), ContextFor(policy));
  EXPECT_EQ(ambiguous.state, OperationState::kRefused);
  EXPECT_NE(ambiguous.message.find(s1 + ", " + s2), std::string::npos) << ambiguous.message;
  auto one = runner->Plan(RequestFor(OperationKind::kVacuum, t, s2), ContextFor(policy));
  EXPECT_EQ(one.state, OperationState::kPlanned) << Describe(one);
  auto missing = runner->Plan(RequestFor(OperationKind::kVacuum, t + "_nope"), ContextFor(policy));
  EXPECT_EQ(missing.state, OperationState::kRefused);
  EXPECT_EQ(FindGuard(missing, "object_exists")->outcome, GuardOutcome::kRefuse);
  // An index name is not a table: REINDEX INDEX on a table name is refused.
  auto wrong_kind =
      runner->Plan(RequestFor(OperationKind::kReindexIndex, t, s1), ContextFor(policy));
  EXPECT_EQ(wrong_kind.state, OperationState::kRefused) << Describe(wrong_kind);
}

TEST(MaintenanceNames, ADryRunLeavesNoTraceInPgStatStatements) {
  const std::string t = UniqueName("mt_dry");
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE TABLE " + t + " (id int)");
  admin.Exec("CREATE INDEX " + t + "_idx ON " + t + " (id)");
  ScopeExit drop([&] { admin.Exec("DROP TABLE IF EXISTS " + t); });
  admin.Exec("SELECT pg_stat_statements_reset()");
  const auto policy = ShortLockPolicy();
  auto runner = maintenance::MakeOperationRunner(common::SystemClock::Instance());
  auto vacuum = RequestFor(OperationKind::kVacuum, t);
  vacuum.dry_run = true;
  vacuum.options.analyze = true;
  EXPECT_EQ(runner->Plan(vacuum, ContextFor(policy)).state, OperationState::kPlanned);
  EXPECT_EQ(runner->Plan(RequestFor(OperationKind::kAnalyze, t), ContextFor(policy)).state,
            OperationState::kPlanned);
  EXPECT_EQ(runner->Plan(RequestFor(OperationKind::kReindexTable, t), ContextFor(policy)).state,
            OperationState::kPlanned);
  // The planning queries were recorded (the view works), the maintenance statements not.
  // (18 records a statement without its leading comment, so look for the resolution's text.)
  EXPECT_NE(admin.Exec("SELECT count(*) FROM pg_stat_statements WHERE query LIKE "
                       "'%c.relkind::text AS relkind%'"),
            "0");
  EXPECT_EQ(admin.Exec("SELECT count(*) FROM pg_stat_statements WHERE query ~* "
                       "'^\\s*(VACUUM|ANALYZE|REINDEX)'"),
            "0");
}

}  // namespace
}  // namespace pgvigil::testing
