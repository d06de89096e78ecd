// SPDX-License-Identifier: Apache-2.0
// `pgvigil check` as a process against real problems created in the sandbox: it must report
// exactly the expected ids on the expected objects — and nothing at warning or critical on a
// clean, freshly vacuumed and analysed database. These tests run serially (RUN_SERIAL): the
// cluster-wide checks would otherwise see the other tests' lock chains and idle sessions.
#include <fstream>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "integration/integration_helpers.h"

namespace pgvigil::testing {
namespace {

std::string DsnFor(const std::string& db) {
  return "host=127.0.0.1 port=" + std::to_string(Sandbox().port) +
         " user=pgvigil_monitor password=monitor-secret dbname=" + db;
}

std::string AdminDsnFor(const std::string& db) {
  return "host=" + Sandbox().dir + " port=" + std::to_string(Sandbox().port) +
         " user=postgres dbname=" + db;
}

struct CheckRun {
  int exit_code = -1;
  nlohmann::json report;
  std::string err;
};

CheckRun Check(const std::string& db, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> argv = {PgvigilBinary(), "check", DsnFor(db), "--format", "json",
                                   "--interval", "1s", "--target", "it"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  const CommandResult r = RunCommand(argv);
  CheckRun run;
  run.exit_code = r.exit_code;
  run.err = r.err;
  try {
    run.report = nlohmann::json::parse(r.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not JSON: " << e.what() << "\n" << r.out << r.err;
  }
  return run;
}

// "id object" for every finding at or above `min_severity`.
std::set<std::string> Findings(const nlohmann::json& report, bool include_info = false) {
  std::set<std::string> out;
  for (const auto& f : report["findings"]) {
    const std::string severity = f["severity"];
    if (!include_info && severity == "info") continue;
    out.insert(f["id"].get<std::string>() + " " + f["object"].get<std::string>());
  }
  return out;
}

class Database {
 public:
  Database() : name_(UniqueName("chk")) {
    TestConnection admin(Sandbox().admin_dsn);
    admin.Exec("CREATE DATABASE " + name_);
  }
  ~Database() {
    TestConnection admin(Sandbox().admin_dsn);
    admin.Exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

TEST(CheckScenarios, ACleanVacuumedDatabaseHasNoWarningOrCritical) {
  Database db;
  {
    // Loaded in a session of its own: its statistics are flushed when it ends, before the
    // ANALYZE below (counts flushed after an ANALYZE would read as modified since it).
    TestConnection loader(AdminDsnFor(db.name()));
    loader.Exec("CREATE TABLE items (id bigint generated always as identity primary key, "
                "name text not null, created timestamptz default now())");
    loader.Exec("CREATE INDEX items_name ON items (name)");
    loader.Exec("INSERT INTO items (name) SELECT 'n' || g FROM generate_series(1, 20000) g");
  }
  {
    TestConnection admin(AdminDsnFor(db.name()));
    ASSERT_TRUE(Eventually([&] {
      return admin.Exec("SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = 'items'") ==
             "20000";
    }));
    admin.Exec("VACUUM ANALYZE items");
    admin.Exec("SELECT count(*) FROM items WHERE name = 'n5'");
  }
  const CheckRun run = Check(db.name());
  EXPECT_EQ(Findings(run.report), std::set<std::string>{}) << run.report.dump(2);
  EXPECT_EQ(run.report["status"], "healthy");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.report["exit_code"], 0);
}

TEST(CheckScenarios, ReportsEachCreatedProblemOnItsObject) {
  Database db;
  const std::string d = db.name();
  TestConnection admin(AdminDsnFor(d));
  // Dead tuples far past the autovacuum trigger, on a table autovacuum may not touch.
  admin.Exec("CREATE TABLE orders (id int primary key, customer int, note text) "
             "WITH (autovacuum_enabled = off)");
  admin.Exec("INSERT INTO orders SELECT g, g % 1000, repeat('x', 40) FROM generate_series(1, 50000) g");
  admin.Exec("ANALYZE orders");
  admin.Exec("DELETE FROM orders WHERE id % 2 = 0");
  // Two identical indexes, one never used and big enough to matter.
  admin.Exec("CREATE INDEX orders_customer_a ON orders (customer)");
  admin.Exec("CREATE INDEX orders_customer_b ON orders (customer)");
  // An invalid index left by a failed concurrent build.
  admin.Exec("CREATE TABLE tags (v int)");
  admin.Exec("INSERT INTO tags VALUES (1), (1)");
  admin.ExecExpectError("CREATE UNIQUE INDEX CONCURRENTLY tags_v ON tags (v)");
  // A sequence at 95 % of its integer range, readable by the monitoring role.
  admin.Exec("CREATE TABLE tickets (id serial primary key)");
  admin.Exec("SELECT setval('tickets_id_seq', 2040109465)");
  admin.Exec("GRANT SELECT ON SEQUENCE tickets_id_seq TO pgvigil_monitor");
  FlushStats(admin);
  // An inactive physical slot holding WAL.
  const std::string slot = UniqueName("slot");
  admin.Exec("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
  ScopeExit drop_slot([&] {
    TestConnection(Sandbox().admin_dsn).Exec("SELECT pg_drop_replication_slot('" + slot + "')");
  });
  // A blocking chain and an idle transaction (the holder), and a long statement.
  TestConnection holder(AdminDsnFor(d));
  TestConnection waiter(AdminDsnFor(d));
  TestConnection sleeper(AdminDsnFor(d));
  // (On a table of its own: the collectors rightly skip the indexes of a table whose ACCESS
  // EXCLUSIVE lock is awaited, and tags_v must stay visible.)
  admin.Exec("CREATE TABLE queue (id int)");
  holder.Exec("BEGIN; LOCK TABLE queue IN ROW EXCLUSIVE MODE");
  waiter.Send("BEGIN; LOCK TABLE queue IN ACCESS EXCLUSIVE MODE");
  sleeper.Send("SELECT pg_sleep(60)");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));

  const std::string config = Sandbox().dir + "/" + d + ".yaml";
  std::ofstream(config) << "thresholds:\n"
                           "  locks.blocking: {warning: 1s}\n"
                           "  connection.idle_in_transaction: {warning: 1s}\n"
                           "  query.long_running: {warning: 1s}\n";
  const CheckRun run = Check(d, {"--config", config});
  waiter.Cancel();
  sleeper.Cancel();
  holder.Exec("ROLLBACK");

  const std::set<std::string> findings = Findings(run.report);
  const std::string h = std::to_string(holder.backend_pid());
  const std::string w = std::to_string(waiter.backend_pid());
  const std::string s = std::to_string(sleeper.backend_pid());
  for (const std::string& expected : {
           "table.vacuum_overdue " + d + ".public.orders",
           "index.duplicate " + d + ".public.orders_customer_b",
           "index.invalid " + d + ".public.tags_v",
           "sequence.exhaustion " + d + ".public.tickets_id_seq",
           "replication.slot_inactive slot " + slot,
           "locks.blocking pid " + w,
           "connection.idle_in_transaction pid " + h,
           "query.long_running pid " + s,
       }) {
    EXPECT_TRUE(findings.count(expected)) << "missing: " << expected << "\n" << run.report.dump(2);
  }
  // Nothing else at warning or critical on this database's objects.
  for (const std::string& f : findings) {
    if (f.find(" " + d + ".") == std::string::npos) continue;
    const bool known = f.rfind("table.vacuum_overdue", 0) == 0 || f.rfind("table.analyze_overdue", 0) == 0 ||
                       f.rfind("index.duplicate", 0) == 0 || f.rfind("index.invalid", 0) == 0 ||
                       f.rfind("index.unused", 0) == 0 || f.rfind("sequence.exhaustion", 0) == 0 ||
                       f.rfind("table.bloat", 0) == 0;
    EXPECT_TRUE(known) << "unexpected finding: " << f;
  }
  EXPECT_EQ(run.report["status"], "unhealthy") << run.report["reasons"].dump(2);
  EXPECT_EQ(run.exit_code, 2);
}

TEST(CheckScenarios, AnUnreachableTargetIsUnknown) {
  const CommandResult r = RunCommand({PgvigilBinary(), "check",
                                      "host=127.0.0.1 port=1 user=u password=wrong-pw-77",
                                      "--format", "json", "--interval", "0s"});
  EXPECT_EQ(r.exit_code, 3);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["status"], "unknown");
  EXPECT_EQ(r.out.find("wrong-pw-77"), std::string::npos);
}

TEST(CheckScenarios, ABadConfigIsUnknownWithEveryProblemNamed) {
  const std::string config = Sandbox().dir + "/bad-config.yaml";
  std::ofstream(config) << "thresholds:\n  no.such: {warning: 1}\n  locks.blocking: {warning: 3GB}\n";
  const CommandResult r = RunCommand({PgvigilBinary(), "check", Sandbox().monitor_dsn, "--config",
                                      config, "--interval", "0s"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("bad-config.yaml:2: unknown threshold 'no.such'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("bad-config.yaml:3: locks.blocking.warning"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace pgvigil::testing
