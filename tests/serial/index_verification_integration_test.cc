// SPDX-License-Identifier: Apache-2.0
// `pgvigil check --verify-indexes --explain` as a process against a seq-scan-heavy table read by
// a statement that filters on an unindexed column. Where hypopg is installable (Debian's
// PostgreSQL 15 has postgresql-15-hypopg) the candidate index on that column must be verified
// with a hypothetical index, as the pg_monitor role in its read-only session, and the estimated
// cost must fall; a second table the role may not SELECT from is "not verified" with the grant
// EXPLAIN needs. On the other majors of the matrix hypopg is absent: the candidate must say so.
// query.advice must also carry what the statement's generic plan shows (a sequential scan of the
// large table), on every major.
#include <fstream>
#include <regex>
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

const nlohmann::json* FindFinding(const nlohmann::json& report, const std::string& id,
                                  const std::string& object) {
  if (!report.contains("findings")) return nullptr;
  for (const auto& f : report["findings"]) {
    if (f["id"] == id && f["object"] == object) return &f;
  }
  return nullptr;
}

std::string Evidence(const nlohmann::json& finding, const std::string& prefix) {
  for (const auto& e : finding["evidence"]) {
    const std::string line = e.get<std::string>();
    if (line.rfind(prefix, 0) == 0) return line;
  }
  return "";
}

TEST(IndexVerificationIntegration, VerifiesTheCandidateWithHypopgAndReadsGenericPlans) {
  const std::string db = UniqueName("hypo");
  TestConnection(Sandbox().admin_dsn).Exec("CREATE DATABASE " + db);
  ScopeExit drop_db([&] {
    TestConnection(Sandbox().admin_dsn).Exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
  });
  TestConnection admin(AdminDsnFor(db));
  admin.Exec("CREATE EXTENSION pg_stat_statements");
  const bool has_hypopg =
      admin.Exec("SELECT count(*) FROM pg_available_extensions WHERE name = 'hypopg'") == "1";
  if (has_hypopg) admin.Exec("CREATE EXTENSION hypopg");
  for (const std::string table : {"orders", "orders_private"}) {
    admin.Exec("CREATE TABLE " + table + " (id serial PRIMARY KEY, customer_id int, note text)");
    admin.Exec("INSERT INTO " + table +
               " (customer_id, note) SELECT g % 5000, md5(g::text) FROM generate_series(1, "
               "50000) g");
    admin.Exec("VACUUM ANALYZE " + table);
  }
  admin.Exec("GRANT SELECT ON orders TO pgvigil_monitor");  // not orders_private
  // Only this test's statements, so that they are the top ones whose texts are read; each runs
  // once before the first sample, so that the interval sees it in both.
  admin.Exec("SELECT pg_stat_statements_reset()");
  admin.Exec("SELECT * FROM orders WHERE customer_id = 1");
  admin.Exec("SELECT * FROM orders_private WHERE customer_id = 1");

  const std::string config = Sandbox().dir + "/" + db + ".yaml";
  std::ofstream(config) << "thresholds:\n"
                           "  table.seq_scan_heavy.min_rows:\n"
                           "    warning: 10000\n"
                           "  table.seq_scan_heavy.min_scans:\n"
                           "    warning: 5\n"
                           "  query.advice.top_statements:\n"
                           "    warning: 50\n";
  // The check's two samples are 4 s apart; the statements run between them.
  CommandResult result;
  std::thread check([&] {
    result = RunCommand({PgvigilBinary(), "check", DsnFor(db), "--verify-indexes", "--explain",
                         "--format", "json", "--interval", "4s", "--config", config});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  for (int i = 0; i < 20; ++i) {
    admin.Exec("SELECT * FROM orders WHERE customer_id = " + std::to_string(i));
    admin.Exec("SELECT * FROM orders_private WHERE customer_id = " + std::to_string(i));
  }
  FlushStats(admin);
  check.join();
  nlohmann::json report;
  try {
    report = nlohmann::json::parse(result.out);
  } catch (const std::exception& e) {
    FAIL() << "not JSON: " << e.what() << "\n" << result.out << result.err;
  }

  const nlohmann::json* orders = FindFinding(report, "table.seq_scan_heavy", db + ".public.orders");
  const nlohmann::json* hidden =
      FindFinding(report, "table.seq_scan_heavy", db + ".public.orders_private");
  ASSERT_NE(orders, nullptr) << report.dump(2);
  ASSERT_NE(hidden, nullptr) << report.dump(2);
  EXPECT_NE(Evidence(*orders, "candidate index on orders (customer_id)"), "") << orders->dump(2);
  if (has_hypopg) {
    const std::string line =
        Evidence(*orders, "hypopg: the planner uses a hypothetical index on orders (customer_id)");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(line, m, std::regex("estimated cost ([0-9.]+) → ([0-9.]+)")))
        << orders->dump(2);
    std::cout << "[hypopg] " << line << "\n";
    EXPECT_GT(std::stod(m[1]), std::stod(m[2]));
    EXPECT_EQ((*orders)["recommendation"]["sql"],
              "CREATE INDEX CONCURRENTLY ON \"public\".\"orders\" (\"customer_id\");");
    const std::string refused = Evidence(
        *hidden,
        "hypopg: candidate index on orders_private (customer_id) not verified: EXPLAIN failed:");
    EXPECT_NE(refused.find("permission denied for table orders_private"), std::string::npos)
        << hidden->dump(2);
    EXPECT_NE(refused.find("GRANT SELECT"), std::string::npos) << refused;
  } else {
    EXPECT_EQ(Evidence(*orders, "hypopg: "),
              "hypopg: candidate index on orders (customer_id) not verified: hypopg is not "
              "installed in database " +
                  db + " (CREATE EXTENSION hypopg)")
        << orders->dump(2);
  }

  // query.advice on the statement (SELECT * gives it a finding on every major).
  const nlohmann::json* advice = nullptr;
  for (const auto& f : report["findings"]) {
    if (f["id"] == "query.advice" &&
        f["message"].get<std::string>().find("FROM orders WHERE customer_id = $1") !=
            std::string::npos) {
      advice = &f;
    }
  }
  ASSERT_NE(advice, nullptr) << report.dump(2);
  EXPECT_NE(Evidence(*advice, "plan: Seq Scan on orders ("), "") << advice->dump(2);
  EXPECT_NE((*advice)["message"].get<std::string>().find("sequential scan of a large table"),
            std::string::npos)
      << advice->dump(2);
}

}  // namespace
}  // namespace pgvigil::testing
