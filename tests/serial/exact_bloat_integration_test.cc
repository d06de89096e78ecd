// SPDX-License-Identifier: Apache-2.0
// `pgvigil check --exact` as a process: the table.bloat / index.bloat findings of a bloated
// table and its btree index are measured with pgstattuple (pgstattuple_approx, pgstatindex) as
// the pg_monitor role, and the measured figure replaces the estimate. In a database of its own:
// first without the extension (the estimate stays, with a line saying how to install it), then
// with it, then with an ACCESS EXCLUSIVE lock held on the table (skipped, not waited for).
#include <cmath>
#include <fstream>
#include <iostream>

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

nlohmann::json CheckExact(const std::string& db, const std::string& config) {
  const CommandResult r = RunCommand({PgvigilBinary(), "check", DsnFor(db), "--exact", "--format",
                                      "json", "--interval", "0s", "--config", config});
  try {
    return nlohmann::json::parse(r.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not JSON: " << e.what() << "\n" << r.out << r.err;
    return {};
  }
}

const nlohmann::json* FindFinding(const nlohmann::json& report, const std::string& id,
                                  const std::string& object) {
  if (!report.contains("findings")) return nullptr;
  for (const auto& f : report["findings"]) {
    if (f["id"] == id && f["object"] == object) return &f;
  }
  return nullptr;
}

// The evidence line that starts with `prefix`, or "".
std::string Evidence(const nlohmann::json& finding, const std::string& prefix) {
  for (const auto& e : finding["evidence"]) {
    const std::string line = e.get<std::string>();
    if (line.rfind(prefix, 0) == 0) return line;
  }
  return "";
}

TEST(ExactBloatIntegration, MeasuresTheFlaggedTableAndIndexWithPgstattuple) {
  const std::string db = UniqueName("exact");
  {
    TestConnection admin(Sandbox().admin_dsn);
    admin.Exec("CREATE DATABASE " + db);
  }
  ScopeExit drop_db([&] {
    TestConnection(Sandbox().admin_dsn).Exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
  });
  TestConnection admin(AdminDsnFor(db));
  // As in the bloat estimate test: 60 % of the rows deleted evenly, then VACUUM ANALYZE.
  admin.Exec("CREATE TABLE bloated (id bigint, v text) WITH (autovacuum_enabled = off)");
  admin.Exec("INSERT INTO bloated SELECT g, md5(g::text) FROM generate_series(1, 100000) g");
  admin.Exec("CREATE INDEX bloated_id_idx ON bloated (id)");
  admin.Exec("DELETE FROM bloated WHERE id % 5 < 3");
  // Vacuum until the deleted rows are really gone: a backend of an earlier test that is still
  // ending can hold the xmin horizon back for a moment (see bloat_estimate_integration_test).
  ASSERT_TRUE(Eventually([&] {
    admin.Exec("VACUUM ANALYZE bloated");
    return admin.Exec("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'bloated'") ==
           "0";
  })) << "VACUUM never removed the deleted rows";
  admin.Exec("GRANT SELECT ON bloated TO pgvigil_monitor");

  // The waste here is a few MB: lower the minimum size for these two objects.
  const std::string config = Sandbox().dir + "/" + db + ".yaml";
  std::ofstream(config) << "thresholds:\n"
                           "  table.bloat.min_bytes:\n"
                           "    overrides:\n"
                           "      - object: \"*.bloated*\"\n"
                           "        warning: 0\n"
                           "  index.bloat.min_bytes:\n"
                           "    overrides:\n"
                           "      - object: \"*.bloated*\"\n"
                           "        warning: 0\n";
  const std::string table_object = db + ".public.bloated";
  const std::string index_object = db + ".public.bloated_id_idx";

  // Without the extension: the estimate, and how to install it.
  const nlohmann::json without = CheckExact(db, config);
  const nlohmann::json* estimated = FindFinding(without, "table.bloat", table_object);
  ASSERT_NE(estimated, nullptr) << without.dump(2);
  EXPECT_EQ(
      Evidence(*estimated, "--exact: "),
      "--exact: pgstattuple is not installed in database " + db + " (CREATE EXTENSION pgstattuple)")
      << estimated->dump(2);

  admin.Exec("CREATE EXTENSION pgstattuple");
  const nlohmann::json with = CheckExact(db, config);
  const nlohmann::json* table = FindFinding(with, "table.bloat", table_object);
  const nlohmann::json* index = FindFinding(with, "index.bloat", index_object);
  ASSERT_NE(table, nullptr) << with.dump(2);
  ASSERT_NE(index, nullptr) << with.dump(2);
  EXPECT_NE(Evidence(*table, "measured by pgstattuple_approx: "), "") << table->dump(2);
  EXPECT_NE(Evidence(*index, "measured by pgstatindex: "), "") << index->dump(2);

  // pgstattuple's own figures, read as the superuser.
  const double table_exact =
      std::stod(
          admin.Exec("SELECT free_percent + dead_tuple_percent FROM pgstattuple('bloated')")) /
      100;
  const double density =
      std::stod(admin.Exec("SELECT avg_leaf_density FROM pgstatindex('bloated_id_idx')"));
  const double index_exact = 1 - density / 90;  // against the fillfactor of a fresh build
  std::cout << "[exact bloat] table: " << Evidence(*table, "measured by") << "; pgstattuple "
            << table_exact << "\n[exact bloat] index: " << Evidence(*index, "measured by")
            << "; 1 - avg_leaf_density/90 " << index_exact << "\n";
  EXPECT_NEAR((*table)["value"].get<double>(), table_exact, 0.05) << table->dump(2);
  EXPECT_NEAR((*index)["value"].get<double>(), index_exact, 0.05) << index->dump(2);
  EXPECT_EQ((*table)["severity"], "critical");

  // An ACCESS EXCLUSIVE lock on the table: skipped, not waited for.
  TestConnection holder(AdminDsnFor(db));
  holder.Exec("BEGIN; LOCK TABLE bloated IN ACCESS EXCLUSIVE MODE");
  const auto start = std::chrono::steady_clock::now();
  const nlohmann::json locked = CheckExact(db, config);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  holder.Exec("ROLLBACK");
  const nlohmann::json* skipped = FindFinding(locked, "table.bloat", table_object);
  ASSERT_NE(skipped, nullptr) << locked.dump(2);
  EXPECT_EQ(Evidence(*skipped, "--exact: "),
            "--exact: not measured: an ACCESS EXCLUSIVE lock is held or awaited on it")
      << skipped->dump(2);
}

}  // namespace
}  // namespace pgvigil::testing
