// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/table_vacuum_overdue_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

using std::chrono::hours;

model::Setting Setting(std::string name, std::string value) {
  model::Setting s;
  s.name = std::move(name);
  s.setting = std::move(value);
  return s;
}

// A server with PostgreSQL's default autovacuum settings and one table of 10000 rows: its
// vacuum trigger is 50 + 0.2 × 10000 = 2050 dead tuples.
model::Snapshot Server() {
  model::Snapshot s;
  s.target = "prod";
  s.collected_at = common::TimestampFromEpochSeconds(1.8e9);
  s.outcomes = {testing::OkOutcome("stat_user_tables"), testing::OkOutcome("settings")};
  s.settings = {Setting("autovacuum", "on"),
                Setting("track_counts", "on"),
                Setting("autovacuum_vacuum_threshold", "50"),
                Setting("autovacuum_vacuum_scale_factor", "0.2"),
                Setting("autovacuum_vacuum_insert_threshold", "1000"),
                Setting("autovacuum_vacuum_insert_scale_factor", "0.2")};
  model::TableStats t;
  t.datname = "app";
  t.schemaname = "public";
  t.relname = "orders";
  t.relkind = "r";
  t.reltuples = 10000;
  t.n_live_tup = 10000;
  t.last_autovacuum = s.collected_at - hours(72);
  s.tables = {t};
  return s;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& s, const Thresholds& t = {}) {
  return testing::EvaluateCheck(TableVacuumOverdueCheck(), s, nullptr, t);
}

TEST(TableVacuumOverdueCheck, WarnsFromTwiceTheAutovacuumTrigger) {
  model::Snapshot s = Server();
  s.tables[0].n_dead_tup = 4099;  // 1.9995 × 2050
  EXPECT_TRUE(Evaluate(s).empty());
  s.tables[0].n_dead_tup = 4100;  // 2.0 ×
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  const model::Finding& f = findings[0];
  EXPECT_EQ(f.id, "table.vacuum_overdue");
  EXPECT_EQ(f.severity, model::Severity::kWarning);
  EXPECT_EQ(f.object, "app.public.orders");
  EXPECT_DOUBLE_EQ(*f.value, 2.0);
  EXPECT_EQ(*f.threshold, 2.0);
  EXPECT_EQ(f.unit, "ratio");
  EXPECT_NE(f.message.find("4100 dead tuples"), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("last vacuumed 3.0 days ago"), std::string::npos) << f.message;
  ASSERT_TRUE(f.recommendation.has_value());
  EXPECT_EQ(f.recommendation->sql, "VACUUM (ANALYZE) \"public\".\"orders\";");
}

TEST(TableVacuumOverdueCheck, IsCriticalFromTenTimesTheTrigger) {
  model::Snapshot s = Server();
  s.tables[0].n_dead_tup = 20499;
  EXPECT_EQ(Evaluate(s).at(0).severity, model::Severity::kWarning);
  s.tables[0].n_dead_tup = 20500;
  EXPECT_EQ(Evaluate(s).at(0).severity, model::Severity::kCritical);
}

TEST(TableVacuumOverdueCheck, IgnoresTablesWithFewerDeadTuplesThanTheMinimum) {
  model::Snapshot s = Server();
  s.tables[0].reltuples = 0;  // trigger 50: 999 dead tuples would be 20×
  s.tables[0].n_dead_tup = 999;
  EXPECT_TRUE(Evaluate(s).empty());
  s.tables[0].n_dead_tup = 1000;
  EXPECT_EQ(Evaluate(s).size(), 1u);
}

TEST(TableVacuumOverdueCheck, PerTableReloptionsWinOverTheGlobalSettings) {
  model::Snapshot s = Server();
  s.tables[0].n_dead_tup = 1500;  // under the global trigger of 2050
  EXPECT_TRUE(Evaluate(s).empty());
  s.tables[0].reloptions.autovacuum_vacuum_scale_factor = 0.01;  // trigger 50 + 100 = 150
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_DOUBLE_EQ(*findings[0].value, 10.0);
  EXPECT_EQ(findings[0].severity, model::Severity::kCritical);
  EXPECT_NE(findings[0].evidence[1].find("per-table reloptions"), std::string::npos);
}

TEST(TableVacuumOverdueCheck, UsesLiveTuplesForATableNeverAnalysed) {
  model::Snapshot s = Server();
  s.tables[0].reltuples = -1;
  s.tables[0].n_live_tup = 100000;  // trigger 50 + 20000
  s.tables[0].n_dead_tup = 40100;
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_DOUBLE_EQ(*findings[0].value, 2.0);
  EXPECT_NE(findings[0].evidence[1].find("never analysed"), std::string::npos);
}

TEST(TableVacuumOverdueCheck, TheMaxThresholdOfPostgres18CapsTheTrigger) {
  model::Snapshot s = Server();
  s.tables[0].reltuples = 1e9;  // 0.2 × 1e9 = 200 million without a cap
  s.tables[0].n_dead_tup = 200000000;
  EXPECT_TRUE(Evaluate(s).empty());
  s.settings.push_back(Setting("autovacuum_vacuum_max_threshold", "100000000"));
  auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_DOUBLE_EQ(*findings[0].value, 2.0);
  EXPECT_NE(findings[0].evidence[1].find("capped"), std::string::npos);
  s.tables[0].reloptions.autovacuum_vacuum_max_threshold = -1;  // the table switches it off
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(TableVacuumOverdueCheck, GivesTheInsertDrivenTriggerAsEvidence) {
  model::Snapshot s = Server();
  s.tables[0].n_dead_tup = 5000;
  s.tables[0].n_ins_since_vacuum = 4000;  // 1000 + 0.2 × 10000 = 3000: reached
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].evidence[2].find("n_ins_since_vacuum = 4000"), std::string::npos);
  EXPECT_NE(findings[0].evidence[2].find("(reached)"), std::string::npos);
}

TEST(TableVacuumOverdueCheck, SaysWhenAutovacuumIsDisabledForTheTable) {
  model::Snapshot s = Server();
  s.tables[0].n_dead_tup = 5000;
  s.tables[0].reloptions.autovacuum_enabled = false;
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("autovacuum_enabled = false"), std::string::npos);
  EXPECT_NE(findings[0].recommendation->why.find("RESET (autovacuum_enabled)"), std::string::npos);
}

TEST(TableVacuumOverdueCheck, SaysWhenAutovacuumIsOffOnTheServer) {
  model::Snapshot s = Server();
  s.tables[0].n_dead_tup = 5000;
  s.settings[0].setting = "off";
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("autovacuum = off"), std::string::npos);
}

TEST(TableVacuumOverdueCheck, SaysNothingWithoutTheTablesOrTheSettings) {
  model::Snapshot s = Server();
  s.tables[0].n_dead_tup = 50000;
  s.outcomes[0].status = model::CollectorStatus::kError;
  EXPECT_TRUE(Evaluate(s).empty());
  s = Server();
  s.tables[0].n_dead_tup = 50000;
  s.outcomes.pop_back();  // no settings: the formula would be a guess
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(TableVacuumOverdueCheck, AStatisticsResetLeavesNothingToReport) {
  model::Snapshot before = Server();
  before.tables[0].n_dead_tup = 50000;
  model::Snapshot now = Server();  // pg_stat_reset(): n_dead_tup is back to 0
  EXPECT_TRUE(testing::EvaluateCheck(TableVacuumOverdueCheck(), now, &before).empty());
}

TEST(TableVacuumOverdueCheck, SkipsPartitionedTables) {
  model::Snapshot s = Server();
  s.tables[0].n_dead_tup = 50000;
  s.tables[0].relkind = "p";
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(TableVacuumOverdueCheck, APerTableOverrideRaisesTheLevels) {
  model::Snapshot s = Server();
  s.tables[0].n_dead_tup = 50000;  // 24×
  const Thresholds t({{"table.vacuum_overdue", "*", "app.public.orders", {50, 100}}});
  EXPECT_TRUE(Evaluate(s, t).empty());
  s.tables[0].relname = "other";
  EXPECT_EQ(Evaluate(s, t).size(), 1u);
}

TEST(TableVacuumOverdueCheck, QuotesAHostileNameInTheRecommendation) {
  model::Snapshot s = Server();
  s.tables[0].n_dead_tup = 5000;
  s.tables[0].schemaname = "Sales";
  s.tables[0].relname = "we\"ird; DROP TABLE x; --";
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].recommendation->sql,
            "VACUUM (ANALYZE) \"Sales\".\"we\"\"ird; DROP TABLE x; --\";");
}

}  // namespace
}  // namespace pgvigil::analysis
