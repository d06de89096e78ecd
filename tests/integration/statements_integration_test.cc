// SPDX-License-Identifier: Apache-2.0
// pg_stat_statements as the pg_monitor-only role: exact counters for a statement run a known
// number of times by another role, texts that may carry a password never leave the server,
// and pg_stat_statements_info.
#include <ctime>

#include <nlohmann/json.hpp>

#include "collect/credential_filter.h"
#include "integration/integration_helpers.h"
#include "store/snapshot_json.h"

namespace pgvigil::testing {
namespace {

using collect::Tier;

// UniqueName plus the time: pg_stat_statements keeps its entries across sandbox restarts, and
// a pid reused by a later run must not find an earlier run's statement.
std::string FreshName(const std::string& prefix) {
  return UniqueName(prefix) + "_" + std::to_string(std::time(nullptr) % 1000000);
}

// Large enough that every statement in the sandbox gets its text.
constexpr int kAllTexts = 100000;

model::Snapshot CollectStandardWithAllTexts() {
  daemon::CollectOnceOptions options;
  options.tiers = {Tier::kStandard};
  options.collector.statement_text_limit = kAllTexts;
  return CollectWith(options);
}

const model::StatementStats* FindStatement(const model::Snapshot& s, std::int64_t queryid,
                                           const std::string& rolname) {
  auto it =
      std::find_if(s.statements.begin(), s.statements.end(), [&](const model::StatementStats& st) {
        return st.queryid == queryid && st.rolname == rolname;
      });
  return it == s.statements.end() ? nullptr : &*it;
}

// The queryid of the superuser's statement whose text matches `like`, read as the superuser
// (pg_stat_statements normalises constants; the LIKE pattern here is one, so this lookup
// never matches itself). pg_stat_statements 1.8 (PostgreSQL 13) has no toplevel column.
std::int64_t QueryIdAsSuperuser(TestConnection& admin, const std::string& like) {
  const std::string id = admin.Exec(
      "SELECT queryid FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid "
      "WHERE r.rolname = 'postgres' AND s.query LIKE '" +
      like + "'" + (Sandbox().major >= 14 ? " AND s.toplevel" : ""));
  if (id.empty()) {
    ADD_FAILURE() << "no pg_stat_statements row matches " << like;
    return 0;
  }
  return std::stoll(id);
}

TEST(StatementsIntegration, CountsEveryCallAndRowOfAStatement) {
  // Column aliases are not part of the queryid; a table of its own is, so this statement's
  // row is fresh in every run.
  const std::string t = FreshName("it_calls");
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE TABLE " + t + " (g int)");
  ScopeExit drop([&] { admin.Exec("DROP TABLE IF EXISTS " + t); });
  admin.Exec("INSERT INTO " + t + " SELECT g FROM generate_series(1, 3) g");
  constexpr int kCalls = 9;
  for (int i = 0; i < kCalls; ++i) {
    admin.Exec("SELECT g + " + std::to_string(i) + " FROM " + t);
  }
  const std::int64_t queryid = QueryIdAsSuperuser(admin, "SELECT g + $1 FROM " + t);
  ASSERT_NE(queryid, 0);

  // pg_stat_statements updates its shared counters at the end of each execution: no wait.
  const model::Snapshot s = CollectStandardWithAllTexts();
  ASSERT_EQ(OutcomeOf(s, "stat_statements").status, model::CollectorStatus::kOk)
      << OutcomeOf(s, "stat_statements").message;
  // pg_monitor includes pg_read_all_stats: other roles' statements are not hidden.
  EXPECT_EQ(OutcomeOf(s, "stat_statements").message.find("hidden"), std::string::npos)
      << OutcomeOf(s, "stat_statements").message;
  const model::StatementStats* st = FindStatement(s, queryid, "postgres");
  ASSERT_NE(st, nullptr) << "queryid " << queryid << " is not in the snapshot";
  EXPECT_EQ(st->calls, kCalls);
  EXPECT_EQ(st->rows, 3 * kCalls);
  EXPECT_EQ(st->datname, "pgvigil_test");
  if (Sandbox().major >= 14) {
    ASSERT_TRUE(st->toplevel.has_value());
    EXPECT_TRUE(*st->toplevel);
  } else {
    EXPECT_FALSE(st->toplevel.has_value()) << "pg_stat_statements 1.8 has no toplevel";
  }
  EXPECT_GT(st->total_exec_time, 0.0);
  EXPECT_LE(st->min_exec_time, st->max_exec_time);
  EXPECT_GT(st->shared_blks_hit + st->shared_blks_read, 0);
  ASSERT_TRUE(st->query.has_value()) << "no text although statement_text_limit covers all";
  EXPECT_EQ(*st->query, "SELECT g + $1 FROM " + t);
}

TEST(StatementsIntegration, NeverCarriesAPasswordFromAStatementText) {
  const std::string role = FreshName("it_pw");
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE ROLE " + role);
  ScopeExit drop([&] { admin.Exec("DROP ROLE IF EXISTS " + role); });
  // Kept open: pg_stat_activity shows it as this session's last statement, too.
  TestConnection setter(Sandbox().admin_dsn);
  setter.Exec("ALTER ROLE " + role + " PASSWORD 'it-secret-123'");
  // The server keeps utility statements word for word: the secret is there to be leaked.
  const std::string raw =
      admin.Exec("SELECT count(*) > 0 FROM pg_stat_statements WHERE query LIKE '%" + role +
                 "%it-secret-' || '123%'");
  ASSERT_EQ(raw, "t") << "the sandbox did not record the ALTER ROLE text";
  const std::int64_t queryid = QueryIdAsSuperuser(admin, "ALTER ROLE " + role + " PASSWORD %");
  ASSERT_NE(queryid, 0);

  daemon::CollectOnceOptions options;
  options.collector.statement_text_limit = kAllTexts;  // every tier, every text
  const model::Snapshot s = CollectWith(options);
  ASSERT_EQ(OutcomeOf(s, "stat_statements").status, model::CollectorStatus::kOk);
  const std::string json = store::SnapshotToJson(s).dump();
  EXPECT_EQ(json.find("it-secret-123"), std::string::npos);

  const model::StatementStats* st = FindStatement(s, queryid, "postgres");
  ASSERT_NE(st, nullptr) << "the ALTER ROLE statement is not in the snapshot";
  EXPECT_EQ(st->calls, 1);
  ASSERT_TRUE(st->query.has_value());
  EXPECT_EQ(*st->query, collect::kWithheldText);
  const model::Backend* b = FindBackend(s, setter.backend_pid());
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->query, collect::kWithheldText);
}

TEST(StatementsIntegration, ReadsStatementsInfoOn14AndLater) {
  const model::Snapshot s = CollectTiers({Tier::kStandard});
  ASSERT_EQ(OutcomeOf(s, "stat_statements").status, model::CollectorStatus::kOk)
      << OutcomeOf(s, "stat_statements").message;
  if (Sandbox().major < 14) {
    // pg_stat_statements 1.8 has no pg_stat_statements_info: the statements alone, no error.
    EXPECT_FALSE(s.statements_info.has_value());
    EXPECT_FALSE(s.statements.empty());
    return;
  }
  ASSERT_TRUE(s.statements_info.has_value());
  EXPECT_GE(s.statements_info->dealloc, 0);
  // Set when the extension's shared memory was initialised, i.e. at server start.
  ASSERT_TRUE(s.statements_info->stats_reset.has_value());
  EXPECT_LE(*s.statements_info->stats_reset, s.collected_at);
  EXPECT_GT(*s.statements_info->stats_reset, s.collected_at - std::chrono::hours(24 * 365));
}

}  // namespace
}  // namespace pgvigil::testing
