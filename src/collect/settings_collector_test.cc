// SPDX-License-Identifier: Apache-2.0
#include "collect/settings_collector.h"

#include <gtest/gtest.h>

#include "collect/collection.h"
#include "support/fake_session.h"

namespace pgvigil::collect {
namespace {

using testing::FakeSession;

const std::vector<std::string> kColumns = {"name",    "setting", "unit",
                                           "vartype", "source",  "pending_restart"};

model::Snapshot Collect(FakeSession& session) {
  model::Snapshot snapshot;
  const SettingsCollector collector;
  const Collector* const collectors[] = {&collector};
  const Tier tiers[] = {Tier::kStandard};
  RunCollectors(session, collectors, tiers, CollectorOptions{}, QueryCatalog::Builtin(), snapshot);
  return snapshot;
}

std::string SettingsSql() {
  auto sql = QueryCatalog::Builtin().Find("settings", 15);
  EXPECT_TRUE(sql.has_value());
  return sql.has_value() ? std::string(*sql) : std::string();
}

TEST(SettingsCollector, ReadsSettingsWithTheirUnits) {
  FakeSession session(150004);
  session.AddResult("settings", kColumns,
                    {{"shared_buffers", "16384", "8kB", "integer", "configuration file", "f"},
                     {"autovacuum", "on", "", "bool", "default", "f"},
                     {"max_connections", "200", "", "integer", "configuration file", "t"}});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk) << s.outcomes[0].message;
  ASSERT_EQ(s.settings.size(), 3u);
  EXPECT_EQ(s.settings[0].name, "shared_buffers");
  EXPECT_EQ(s.settings[0].setting, "16384");
  EXPECT_EQ(s.settings[0].unit, "8kB");
  EXPECT_EQ(s.settings[0].source, "configuration file");
  EXPECT_EQ(s.settings[1].vartype, "bool");
  EXPECT_TRUE(s.settings[2].pending_restart);
}

// archive_command and restore_command may embed credentials (an S3 key, a password): the
// server must send only whether they are set.
TEST(SettingsCollector, TheSqlNeverSelectsTheValueOfArchiveCommand) {
  const std::string sql = SettingsSql();
  ASSERT_FALSE(sql.empty());
  EXPECT_NE(sql.find("'archive_command'"), std::string::npos) << "it is collected, as set or not";
  const size_t guard = sql.find(
      "when s.name in ('archive_command', 'restore_command') then\n"
      "            case when s.setting in ('', '(disabled)') then s.setting else 'set' end");
  ASSERT_NE(guard, std::string::npos);
  // The one other use of s.setting in the select list is the else branch of that CASE.
  const std::string otherwise = "else s.setting\n    end as setting";
  const size_t other = sql.find(otherwise);
  ASSERT_NE(other, std::string::npos);
  EXPECT_GT(other, guard);
  EXPECT_EQ(sql.find("s.setting", other + otherwise.size()), std::string::npos);
  for (const char* leak : {"reset_val", "boot_val", "current_setting(", "sourcefile", "s.*"}) {
    EXPECT_EQ(sql.find(leak), std::string::npos) << leak;
  }
}

TEST(SettingsCollector, RedactsASecretThatGotThroughAnyway) {
  FakeSession session(150004);
  session.AddResult("settings", kColumns,
                    {{"archive_command", "aws s3 cp %p s3://b/%f --secret AKIA123", "", "string",
                      "configuration file", "f"},
                     {"restore_command", "", "", "string", "default", "f"},
                     {"archive_command", "(disabled)", "", "string", "default", "f"}});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.settings.size(), 3u);
  EXPECT_EQ(s.settings[0].setting, "set");
  EXPECT_EQ(s.settings[1].setting, "");
  EXPECT_EQ(s.settings[2].setting, "(disabled)");
}

TEST(SettingsCollector, AsksForTheSettingsAnalysisNeeds) {
  const std::string sql = SettingsSql();
  for (const char* name :
       {"'max_connections'", "'autovacuum_freeze_max_age'", "'track_counts'",
        "'pg_stat_statements.track'", "'max_slot_wal_keep_size'",
        "'idle_in_transaction_session_timeout'", "'max_prepared_transactions'", "'data_checksums'",
        "'server_version_num'", "'reserved_connections'", "'archive_library'",
        "'max_locks_per_transaction'", "'archive_timeout'", "'wal_segment_size'"}) {
    EXPECT_NE(sql.find(name), std::string::npos) << name;
  }
}

}  // namespace
}  // namespace pgvigil::collect
