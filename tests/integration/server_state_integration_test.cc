// SPDX-License-Identifier: Apache-2.0
// Server-wide state of the standard tier, created for real and collected as the pg_monitor
// role: a prepared transaction, a requested checkpoint, settings (a secret-bearing one
// included) and per-database transaction-id ages.
#include <nlohmann/json.hpp>

#include "integration/integration_helpers.h"
#include "store/snapshot_json.h"

namespace pgvigil::testing {
namespace {

using collect::Tier;

const model::Setting* FindSetting(const model::Snapshot& s, const std::string& name) {
  auto it = std::find_if(s.settings.begin(), s.settings.end(),
                         [&](const model::Setting& x) { return x.name == name; });
  return it == s.settings.end() ? nullptr : &*it;
}

const model::DatabaseAge* FindAge(const model::Snapshot& s, const std::string& datname) {
  auto it = std::find_if(s.database_ages.begin(), s.database_ages.end(),
                         [&](const model::DatabaseAge& d) { return d.datname == datname; });
  return it == s.database_ages.end() ? nullptr : &*it;
}

TEST(ServerStateIntegration, ReportsAPreparedTransactionWithItsAge) {
  const std::string gid = UniqueName("it_gid");
  const std::string t = UniqueName("it_prep");
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("BEGIN; CREATE TABLE " + t + " (id int); PREPARE TRANSACTION '" + gid + "'");
  // A prepared transaction outlives its session: it must be finished explicitly, even when
  // an assertion below fails.
  ScopeExit finish([&] {
    admin.Exec("COMMIT PREPARED '" + gid + "'");
    admin.Exec("DROP TABLE IF EXISTS " + t);
  });

  const model::Snapshot s = CollectTiers({Tier::kStandard});
  ASSERT_EQ(OutcomeOf(s, "wraparound").status, model::CollectorStatus::kOk)
      << OutcomeOf(s, "wraparound").message;
  auto it = std::find_if(s.prepared_transactions.begin(), s.prepared_transactions.end(),
                         [&](const model::PreparedTransaction& p) { return p.gid == gid; });
  ASSERT_NE(it, s.prepared_transactions.end()) << "prepared transaction " << gid << " not reported";
  EXPECT_EQ(it->owner, "postgres");
  EXPECT_EQ(it->datname, "pgvigil_test");
  // The collecting session has no xid of its own, so the age counts from the next xid: >= 1.
  EXPECT_GE(it->xid_age, 1);
  EXPECT_LT(it->xid_age, 1000000);
  EXPECT_GE(it->prepared_age_seconds, 0.0);
  EXPECT_LT(it->prepared_age_seconds, 60.0);
}

TEST(ServerStateIntegration, CountsARequestedCheckpoint) {
  const model::Snapshot before = CollectTiers({Tier::kStandard});
  ASSERT_EQ(OutcomeOf(before, "checkpointer").status, model::CollectorStatus::kOk)
      << OutcomeOf(before, "checkpointer").message;
  ASSERT_TRUE(before.checkpointer.has_value());
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CHECKPOINT");
  // The checkpointer reports its counters after the checkpoint, on its own schedule.
  model::Snapshot after;
  ASSERT_TRUE(Eventually([&] {
    after = CollectTiers({Tier::kStandard});
    return after.checkpointer.has_value() &&
           after.checkpointer->checkpoints_req > before.checkpointer->checkpoints_req;
  })) << "checkpoints_req stayed at "
      << before.checkpointer->checkpoints_req;
  EXPECT_GE(after.checkpointer->checkpoints_timed, before.checkpointer->checkpoints_timed);
  EXPECT_TRUE(after.checkpointer->checkpointer_stats_reset.has_value());
}

TEST(ServerStateIntegration, ReportsSettingsButNeverTheArchiveCommand) {
  TestConnection admin(Sandbox().admin_dsn);
  // ALTER SYSTEM refuses to run in a (multi-statement) transaction: one statement per Exec.
  admin.Exec("ALTER SYSTEM SET archive_command = 'it-archive-secret %p'");
  ScopeExit reset([&] {
    admin.Exec("ALTER SYSTEM RESET archive_command");
    admin.Exec("SELECT pg_reload_conf()");
  });
  admin.Exec("SELECT pg_reload_conf()");

  // The postmaster rereads the configuration asynchronously; a new session sees the value
  // (its source: the configuration file) once it has.
  model::Snapshot s;
  const model::Setting* archive = nullptr;
  ASSERT_TRUE(Eventually([&] {
    s = CollectTiers({Tier::kStandard});
    archive = FindSetting(s, "archive_command");
    return archive != nullptr && archive->source == "configuration file";
  })) << "archive_command never came from the configuration file: "
      << (archive == nullptr ? "(absent)" : archive->source);
  ASSERT_EQ(OutcomeOf(s, "settings").status, model::CollectorStatus::kOk)
      << OutcomeOf(s, "settings").message;
  EXPECT_TRUE(archive->setting == "" || archive->setting == "set" ||
              archive->setting == "(disabled)")
      << archive->setting;
  // archive_mode is off in the sandbox, so the server itself shows '(disabled)'.
  const model::Setting* mode = FindSetting(s, "archive_mode");
  ASSERT_NE(mode, nullptr);
  if (mode->setting == "off") {
    EXPECT_EQ(archive->setting, "(disabled)");
  }
  EXPECT_EQ(store::SnapshotToJson(s).dump().find("it-archive-secret"), std::string::npos);

  const model::Setting* max_connections = FindSetting(s, "max_connections");
  ASSERT_NE(max_connections, nullptr);
  EXPECT_EQ(max_connections->setting, "100");  // scripts/pg-sandbox.sh sets it
  EXPECT_EQ(max_connections->vartype, "integer");
  EXPECT_EQ(max_connections->source, "configuration file");
  const model::Setting* prepared = FindSetting(s, "max_prepared_transactions");
  ASSERT_NE(prepared, nullptr);
  EXPECT_EQ(prepared->setting, "10");
  const model::Setting* timeout = FindSetting(s, "checkpoint_timeout");
  ASSERT_NE(timeout, nullptr);
  EXPECT_EQ(timeout->unit, "s");
}

TEST(ServerStateIntegration, ReportsTransactionIdAgesOfEveryDatabase) {
  const model::Snapshot s = CollectTiers({Tier::kStandard});
  ASSERT_EQ(OutcomeOf(s, "wraparound").status, model::CollectorStatus::kOk)
      << OutcomeOf(s, "wraparound").message;
  const model::DatabaseAge* test = FindAge(s, "pgvigil_test");
  ASSERT_NE(test, nullptr);
  EXPECT_GT(test->datfrozenxid_age, 0);
  EXPECT_LT(test->datfrozenxid_age, 200000000);  // far below autovacuum_freeze_max_age
  EXPECT_GE(test->datminmxid_age, 0);
  EXPECT_TRUE(test->datallowconn);
  const model::DatabaseAge* template0 = FindAge(s, "template0");
  ASSERT_NE(template0, nullptr);
  EXPECT_FALSE(template0->datallowconn);
  EXPECT_NE(FindAge(s, "postgres"), nullptr);
}

}  // namespace
}  // namespace pgvigil::testing
