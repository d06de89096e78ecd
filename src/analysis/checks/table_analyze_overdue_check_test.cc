// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/table_analyze_overdue_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

model::Setting Setting(std::string name, std::string value) {
  model::Setting s;
  s.name = std::move(name);
  s.setting = std::move(value);
  return s;
}

// PostgreSQL's default analyze settings and a table of 100000 rows: its autoanalyze trigger is
// 50 + 0.1 × 100000 = 10050 modified rows.
model::Snapshot Server() {
  model::Snapshot s;
  s.target = "prod";
  s.collected_at = common::TimestampFromEpochSeconds(1.8e9);
  s.outcomes = {testing::OkOutcome("stat_user_tables"), testing::OkOutcome("settings")};
  s.settings = {Setting("autovacuum", "on"), Setting("track_counts", "on"),
                Setting("autovacuum_analyze_threshold", "50"),
                Setting("autovacuum_analyze_scale_factor", "0.1")};
  model::TableStats t;
  t.datname = "app";
  t.schemaname = "public";
  t.relname = "events";
  t.relkind = "r";
  t.reltuples = 100000;
  t.n_live_tup = 100000;
  s.tables = {t};
  return s;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& s, const Thresholds& t = {}) {
  return testing::EvaluateCheck(TableAnalyzeOverdueCheck(), s, nullptr, t);
}

TEST(TableAnalyzeOverdueCheck, WarnsFromTwiceAndIsCriticalFromTenTimesTheTrigger) {
  model::Snapshot s = Server();
  s.tables[0].n_mod_since_analyze = 20099;
  EXPECT_TRUE(Evaluate(s).empty());
  s.tables[0].n_mod_since_analyze = 20100;
  auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "table.analyze_overdue");
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_EQ(*findings[0].threshold, 2.0);
  EXPECT_NE(findings[0].message.find("; never analysed"), std::string::npos) << findings[0].message;
  EXPECT_EQ(findings[0].recommendation->sql, "ANALYZE \"public\".\"events\";");
  s.tables[0].n_mod_since_analyze = 100499;
  EXPECT_EQ(Evaluate(s).at(0).severity, model::Severity::kWarning);
  s.tables[0].n_mod_since_analyze = 100500;
  EXPECT_EQ(Evaluate(s).at(0).severity, model::Severity::kCritical);
}

TEST(TableAnalyzeOverdueCheck, IgnoresTablesWithFewerModifiedRowsThanTheMinimum) {
  model::Snapshot s = Server();
  s.tables[0].reltuples = 0;  // trigger 50
  s.tables[0].n_mod_since_analyze = 999;
  EXPECT_TRUE(Evaluate(s).empty());
  s.tables[0].n_mod_since_analyze = 1000;
  EXPECT_EQ(Evaluate(s).size(), 1u);
}

TEST(TableAnalyzeOverdueCheck, PerTableReloptionsWinOverTheGlobalSettings) {
  model::Snapshot s = Server();
  s.tables[0].n_mod_since_analyze = 5000;
  EXPECT_TRUE(Evaluate(s).empty());
  s.tables[0].reloptions.autovacuum_analyze_threshold = 0;
  s.tables[0].reloptions.autovacuum_analyze_scale_factor = 0.01;  // trigger 1000
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_DOUBLE_EQ(*findings[0].value, 5.0);
}

TEST(TableAnalyzeOverdueCheck, SaysWhenAutovacuumIsDisabledForTheTable) {
  model::Snapshot s = Server();
  s.tables[0].n_mod_since_analyze = 50000;
  s.tables[0].reloptions.autovacuum_enabled = false;
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("autoanalyze will not run on it: autovacuum_enabled = false"),
            std::string::npos)
      << findings[0].message;
}

TEST(TableAnalyzeOverdueCheck, SaysNothingWithoutCollectedTables) {
  model::Snapshot s = Server();
  s.tables[0].n_mod_since_analyze = 500000;
  s.outcomes[0].status = model::CollectorStatus::kSkipped;
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(TableAnalyzeOverdueCheck, AStatisticsResetLeavesNothingToReport) {
  model::Snapshot before = Server();
  before.tables[0].n_mod_since_analyze = 500000;
  const model::Snapshot now = Server();  // reset: n_mod_since_analyze back to 0
  EXPECT_TRUE(testing::EvaluateCheck(TableAnalyzeOverdueCheck(), now, &before).empty());
}

TEST(TableAnalyzeOverdueCheck, APerTableOverrideRaisesTheLevels) {
  model::Snapshot s = Server();
  s.tables[0].n_mod_since_analyze = 50000;  // 5×
  const Thresholds t({{"table.analyze_overdue", "prod", "app.public.ev*", {8, 20}}});
  EXPECT_TRUE(Evaluate(s, t).empty());
  EXPECT_EQ(Evaluate(s).size(), 1u);
}

TEST(TableAnalyzeOverdueCheck, QuotesAHostileNameInTheRecommendation) {
  model::Snapshot s = Server();
  s.tables[0].n_mod_since_analyze = 50000;
  s.tables[0].relname = "we\"ird";
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].recommendation->sql, "ANALYZE \"public\".\"we\"\"ird\";");
}

}  // namespace
}  // namespace pgvigil::analysis
