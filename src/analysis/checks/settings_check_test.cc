// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/settings_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

model::Setting Setting(std::string name, std::string value, bool pending_restart = false) {
  model::Setting s;
  s.name = std::move(name);
  s.setting = std::move(value);
  s.source = "configuration file";
  s.pending_restart = pending_restart;
  return s;
}

// A well-configured server, seen by a role with pg_monitor.
model::Snapshot Server() {
  model::Snapshot s;
  s.target = "prod";
  s.server.current_user = "pgvigil";
  s.server.current_database = "app";
  s.server.has_pg_monitor = true;
  s.outcomes = {testing::OkOutcome("settings"), testing::OkOutcome("stat_statements")};
  s.settings = {Setting("track_io_timing", "on"), Setting("autovacuum", "on"),
                Setting("track_counts", "on"), Setting("data_checksums", "on"),
                Setting("shared_preload_libraries", "pg_stat_statements")};
  return s;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& s) {
  return testing::EvaluateCheck(SettingsCheck(), s);
}

model::Setting& Named(model::Snapshot& s, std::string_view name) {
  for (auto& setting : s.settings) {
    if (setting.name == name) return setting;
  }
  ADD_FAILURE() << name;
  return s.settings.front();
}

TEST(SettingsCheck, AWellConfiguredServerHasNoFindings) { EXPECT_TRUE(Evaluate(Server()).empty()); }

TEST(SettingsCheck, MissingPgStatStatementsNeedsOnlyTheExtensionWhenPreloaded) {
  model::Snapshot s = Server();
  s.outcomes[1].status = model::CollectorStatus::kSkipped;
  s.outcomes[1].message = "pg_stat_statements is not installed in database app";
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "settings.pg_stat_statements_missing");
  EXPECT_EQ(findings[0].severity, model::Severity::kInfo);
  EXPECT_EQ(findings[0].object, "server");
  EXPECT_EQ(findings[0].recommendation->sql, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;");
  s.outcomes[1].status = model::CollectorStatus::kError;  // a failure is not "missing"
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(SettingsCheck, MissingPgStatStatementsAddsItToThePreloadedLibrariesQuoted) {
  model::Snapshot s = Server();
  s.outcomes[1].status = model::CollectorStatus::kSkipped;
  Named(s, "shared_preload_libraries").setting = "auto_explain,we'ird";
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(
      findings[0].recommendation->sql,
      "ALTER SYSTEM SET shared_preload_libraries = 'auto_explain,we''ird,pg_stat_statements';");
  EXPECT_NE(findings[0].recommendation->why.find("needs a restart. Then create the extension in "
                                                 "database app: CREATE EXTENSION"),
            std::string::npos)
      << findings[0].recommendation->why;
}

TEST(SettingsCheck, MissingPgStatStatementsWithUnreadSettingsNamesBothSteps) {
  model::Snapshot s = Server();
  s.outcomes[0].status = model::CollectorStatus::kError;  // settings could not be read
  s.settings.clear();
  s.outcomes[1].status = model::CollectorStatus::kSkipped;
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  const std::string& why = findings[0].recommendation->why;
  EXPECT_EQ(why.find("The library is loaded"), std::string::npos) << why;
  EXPECT_NE(why.find("could not read shared_preload_libraries"), std::string::npos) << why;
}

TEST(SettingsCheck, TrackIoTimingOffIsInfoWithTheFix) {
  model::Snapshot s = Server();
  Named(s, "track_io_timing").setting = "off";
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "settings.track_io_timing_off");
  EXPECT_EQ(findings[0].severity, model::Severity::kInfo);
  EXPECT_EQ(findings[0].recommendation->sql,
            "ALTER SYSTEM SET track_io_timing = on; SELECT pg_reload_conf();");
}

TEST(SettingsCheck, AutovacuumOffIsInfoAndTrackCountsOffAWarning) {
  model::Snapshot s = Server();
  Named(s, "autovacuum").setting = "off";
  Named(s, "track_counts").setting = "off";
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].id, "settings.autovacuum_off");
  EXPECT_EQ(findings[0].severity, model::Severity::kInfo);
  EXPECT_EQ(findings[1].id, "settings.track_counts_off");
  EXPECT_EQ(findings[1].severity, model::Severity::kWarning);
}

TEST(SettingsCheck, ChecksumsOffIsInfo) {
  model::Snapshot s = Server();
  Named(s, "data_checksums").setting = "off";
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "settings.checksums_off");
  EXPECT_EQ(findings[0].severity, model::Severity::kInfo);
  EXPECT_TRUE(findings[0].recommendation->sql.empty());
}

TEST(SettingsCheck, ListsSettingsPendingARestartInOneFinding) {
  model::Snapshot s = Server();
  s.settings.push_back(Setting("shared_buffers", "16384", true));
  s.settings.push_back(Setting("max_connections", "200", true));
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "settings.pending_restart");
  EXPECT_EQ(findings[0].message,
            "2 changed settings wait for a restart: shared_buffers, max_connections");
  EXPECT_EQ(*findings[0].value, 2);
}

TEST(SettingsCheck, SaysNothingAboutSettingsThatWereNotCollected) {
  model::Snapshot s = Server();
  Named(s, "autovacuum").setting = "off";
  s.outcomes[0].status = model::CollectorStatus::kError;
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(SettingsCheck, AMonitoringRoleWithoutPgMonitorGetsTheQuotedGrant) {
  model::Snapshot s = Server();
  s.server.has_pg_monitor = false;
  s.server.current_user = "Mon\"itor";
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "settings.monitoring_privileges");
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_EQ(findings[0].recommendation->sql, "GRANT pg_monitor TO \"Mon\"\"itor\";");
  s.server.is_superuser = true;
  EXPECT_TRUE(Evaluate(s).empty());
  s.server.is_superuser = false;
  s.server.current_user.clear();  // the server was not reached: nothing known
  EXPECT_TRUE(Evaluate(s).empty());
}

}  // namespace
}  // namespace pgvigil::analysis
