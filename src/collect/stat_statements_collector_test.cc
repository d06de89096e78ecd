// SPDX-License-Identifier: Apache-2.0
#include "collect/stat_statements_collector.h"

#include <gtest/gtest.h>

#include "collect/collection.h"
#include "support/fake_session.h"

namespace pgvigil::collect {
namespace {

using testing::FakeSession;

const std::vector<std::string> kColumns110 = {"userid",
                                              "dbid",
                                              "queryid",
                                              "rolname",
                                              "datname",
                                              "toplevel",
                                              "calls",
                                              "total_exec_time",
                                              "min_exec_time",
                                              "max_exec_time",
                                              "mean_exec_time",
                                              "stddev_exec_time",
                                              "plans",
                                              "total_plan_time",
                                              "rows",
                                              "shared_blks_hit",
                                              "shared_blks_read",
                                              "shared_blks_dirtied",
                                              "shared_blks_written",
                                              "local_blks_hit",
                                              "local_blks_read",
                                              "temp_blks_read",
                                              "temp_blks_written",
                                              "shared_blk_read_time",
                                              "shared_blk_write_time",
                                              "temp_blk_read_time",
                                              "temp_blk_write_time",
                                              "wal_records",
                                              "wal_fpi",
                                              "wal_bytes",
                                              "jit_functions",
                                              "jit_generation_time"};

std::vector<std::optional<std::string>> Row110(std::string userid, std::string queryid,
                                               std::string toplevel, std::string total) {
  return {userid, "5",          queryid,      "alice", "app", toplevel, "10",  total,
          "0.1",  "9.5",        "1.25",       "0.5",   "2",   "0.75",   "100", "1000",
          "20",   "3",          "4",          "0",     "0",   "0",      "0",   "1.5",
          "0.5",  std::nullopt, std::nullopt, "7",     "1",   "4096",   "0",   "0"};
}

void InstallExtension(FakeSession& session, std::string version, std::string schema = "public") {
  session.mutable_server_info().extensions.push_back(
      {"pg_stat_statements", std::move(version), std::move(schema)});
}

model::Snapshot Collect(FakeSession& session, CollectorOptions options = {}) {
  model::Snapshot snapshot;
  const StatStatementsCollector collector;
  const Collector* const collectors[] = {&collector};
  const Tier tiers[] = {Tier::kStandard};
  RunCollectors(session, collectors, tiers, options, QueryCatalog::Builtin(), snapshot);
  return snapshot;
}

const pg::Query* FindQuery(const FakeSession& session, std::string_view name) {
  if (session.pipelines().empty()) return nullptr;
  for (const pg::Query& q : session.pipelines()[0]) {
    if (q.name == name) return &q;
  }
  return nullptr;
}

TEST(StatStatementsCollector, MapsExtensionVersionsToTheMajorThatShippedThem) {
  EXPECT_EQ(StatStatementsCollector::CatalogVersionForExtension("1.8"), 13);
  EXPECT_EQ(StatStatementsCollector::CatalogVersionForExtension("1.9"), 14);
  EXPECT_EQ(StatStatementsCollector::CatalogVersionForExtension("1.10"), 15);
  EXPECT_EQ(StatStatementsCollector::CatalogVersionForExtension("1.11"), 17);
  EXPECT_EQ(StatStatementsCollector::CatalogVersionForExtension("1.12"), 18);
  EXPECT_EQ(StatStatementsCollector::CatalogVersionForExtension("1.13"), 18);
  EXPECT_EQ(StatStatementsCollector::CatalogVersionForExtension("2.0"), 18);
  EXPECT_EQ(StatStatementsCollector::CatalogVersionForExtension("1.7"), 0);
  EXPECT_EQ(StatStatementsCollector::CatalogVersionForExtension("1.4"), 0);
  EXPECT_EQ(StatStatementsCollector::CatalogVersionForExtension("1."), 0);
  EXPECT_EQ(StatStatementsCollector::CatalogVersionForExtension("1.10beta"), 0);
  EXPECT_EQ(StatStatementsCollector::CatalogVersionForExtension(""), 0);
}

TEST(StatStatementsCollector, IsSkippedWhenTheExtensionIsNotInstalled) {
  FakeSession session(150004);
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kSkipped);
  EXPECT_EQ(s.outcomes[0].error_code, "unsupported");
  EXPECT_NE(s.outcomes[0].message.find("not installed in database app"), std::string::npos);
  EXPECT_NE(s.outcomes[0].message.find("CREATE EXTENSION pg_stat_statements"), std::string::npos);
  EXPECT_NE(s.outcomes[0].message.find("shared_preload_libraries"), std::string::npos);
  EXPECT_EQ(FindQuery(session, "stat_statements"), nullptr);
  EXPECT_TRUE(s.statements.empty());
}

TEST(StatStatementsCollector, IsSkippedWhenTheExtensionIsOlderThan18) {
  FakeSession session(150004);
  InstallExtension(session, "1.7");
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kSkipped);
  EXPECT_NE(s.outcomes[0].message.find("ALTER EXTENSION pg_stat_statements UPDATE"),
            std::string::npos);
  EXPECT_EQ(FindQuery(session, "stat_statements"), nullptr);
}

// A server upgraded without ALTER EXTENSION … UPDATE keeps the old function signature: the
// variant follows the extension, not the server.
TEST(StatStatementsCollector, ChoosesTheVariantByExtensionVersionNotServerVersion) {
  FakeSession session(170002);
  InstallExtension(session, "1.10");
  Collect(session);
  const pg::Query* q = FindQuery(session, "stat_statements");
  ASSERT_NE(q, nullptr);
  EXPECT_NE(q->sql.find("s.blk_read_time as shared_blk_read_time"), std::string::npos);
  EXPECT_NE(q->sql.find("s.temp_blk_read_time"), std::string::npos);
  EXPECT_EQ(q->sql.find("stats_since"), std::string::npos);
}

TEST(StatStatementsCollector, Extension18HasNoToplevelAndNoInfo) {
  FakeSession session(130012);
  InstallExtension(session, "1.8");
  Collect(session);
  ASSERT_EQ(session.pipelines().size(), 1u);
  const std::vector<pg::Query>& queries = session.pipelines()[0];
  ASSERT_EQ(queries.size(), 2u);
  EXPECT_EQ(queries[0].name, "stat_statements");
  EXPECT_EQ(queries[1].name, "statement_texts");
  EXPECT_EQ(queries[0].sql.find("toplevel"), std::string::npos);
  EXPECT_EQ(queries[0].sql.find("temp_blk_read_time"), std::string::npos);
  EXPECT_NE(queries[0].sql.find("s.blk_read_time as shared_blk_read_time"), std::string::npos);
  EXPECT_EQ(queries[1].sql.find("toplevel"), std::string::npos);
}

TEST(StatStatementsCollector, Extension111ReadsTheRenamedColumnsAndStatsSince) {
  FakeSession session(170002);
  InstallExtension(session, "1.11");
  Collect(session);
  ASSERT_EQ(session.pipelines().size(), 1u);
  const std::vector<pg::Query>& queries = session.pipelines()[0];
  ASSERT_EQ(queries.size(), 3u);
  EXPECT_EQ(queries[2].name, "stat_statements_info");
  EXPECT_NE(queries[0].sql.find("s.shared_blk_read_time,"), std::string::npos);
  EXPECT_EQ(queries[0].sql.find("blk_read_time as"), std::string::npos);
  EXPECT_NE(queries[0].sql.find("stats_since"), std::string::npos);
  EXPECT_NE(queries[1].sql.find("toplevel"), std::string::npos);
}

TEST(StatStatementsCollector, QuotesTheExtensionSchema) {
  FakeSession session(150004);
  InstallExtension(session, "1.10", "we\"ird");
  Collect(session);
  ASSERT_EQ(session.pipelines().size(), 1u);
  const std::vector<pg::Query>& queries = session.pipelines()[0];
  ASSERT_EQ(queries.size(), 3u);
  EXPECT_NE(queries[0].sql.find("from \"we\"\"ird\".pg_stat_statements(false) s"),
            std::string::npos);
  EXPECT_NE(queries[1].sql.find("from \"we\"\"ird\".pg_stat_statements(true) s"),
            std::string::npos);
  EXPECT_NE(queries[2].sql.find("from \"we\"\"ird\".pg_stat_statements_info i"), std::string::npos);
  for (const pg::Query& q : queries) {
    EXPECT_EQ(q.sql.find("{{"), std::string::npos) << q.name;
    EXPECT_EQ(q.sql.find("pg_stat_statements_reset"), std::string::npos) << q.name;
  }
}

TEST(StatStatementsCollector, AsksForTextsOfTheTopStatementsOnly) {
  FakeSession session(150004);
  InstallExtension(session, "1.10");
  CollectorOptions options;
  options.statement_text_limit = 7;
  Collect(session, options);
  const pg::Query* texts = FindQuery(session, "statement_texts");
  ASSERT_NE(texts, nullptr);
  EXPECT_NE(texts->sql.find("order by s.total_exec_time desc limit 7)"), std::string::npos);
  EXPECT_NE(texts->sql.find("order by s.mean_exec_time desc limit 7)"), std::string::npos);
  EXPECT_EQ(FindQuery(session, "stat_statements")->sql.find("pg_stat_statements(true)"),
            std::string::npos);
}

TEST(StatStatementsCollector, ReadsNoTextsWhenTheLimitIsZero) {
  FakeSession session(150004);
  InstallExtension(session, "1.10");
  CollectorOptions options;
  options.statement_text_limit = 0;
  session.AddResult("stat_statements", kColumns110, {Row110("10", "42", "t", "12.5")});
  session.AddResult("stat_statements_info", {"dealloc", "stats_reset"}, {{"0", std::nullopt}});
  const model::Snapshot s = Collect(session, options);
  EXPECT_EQ(FindQuery(session, "statement_texts"), nullptr);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk) << s.outcomes[0].message;
  ASSERT_EQ(s.statements.size(), 1u);
  EXPECT_FALSE(s.statements[0].query.has_value());
}

TEST(StatStatementsCollector, ReadsCountersAndAttachesTextsByFullKey) {
  FakeSession session(150004);
  InstallExtension(session, "1.10");
  session.AddResult("stat_statements", kColumns110,
                    {Row110("10", "42", "t", "12.5"), Row110("10", "42", "f", "3"),
                     Row110("11", "-7", "t", "1")});
  // The nested execution of statement 42 (toplevel f) has no text here: it was not in the top.
  session.AddResult("statement_texts", {"userid", "dbid", "queryid", "toplevel", "query"},
                    {{"10", "5", "42", "t", "select $1"},
                     {"11", "5", "-7", "t", "update t set v = $1"},
                     {"99", "5", "1", "t", "evicted meanwhile"}});
  session.AddResult("stat_statements_info", {"dealloc", "stats_reset"}, {{"3", "1700000000.5"}});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk) << s.outcomes[0].message;
  ASSERT_EQ(s.statements.size(), 3u);
  const model::StatementStats& top = s.statements[0];
  EXPECT_EQ(top.userid, 10u);
  EXPECT_EQ(top.dbid, 5u);
  EXPECT_EQ(top.queryid, 42);
  EXPECT_EQ(top.rolname, "alice");
  EXPECT_EQ(top.toplevel, true);
  EXPECT_EQ(top.calls, 10);
  EXPECT_DOUBLE_EQ(top.total_exec_time, 12.5);
  EXPECT_DOUBLE_EQ(top.shared_blk_read_time, 1.5);
  EXPECT_FALSE(top.temp_blk_read_time.has_value());  // NULL
  EXPECT_EQ(top.jit_functions, 0);
  EXPECT_FALSE(top.stats_since.has_value());  // 1.11+
  EXPECT_EQ(top.wal_bytes, 4096);
  EXPECT_EQ(top.query, "select $1");
  EXPECT_EQ(s.statements[1].toplevel, false);
  EXPECT_FALSE(s.statements[1].query.has_value());
  EXPECT_EQ(s.statements[2].queryid, -7);
  EXPECT_EQ(s.statements[2].query, "update t set v = $1");
  ASSERT_TRUE(s.statements_info.has_value());
  EXPECT_EQ(s.statements_info->dealloc, 3);
  EXPECT_EQ(s.statements_info->stats_reset, common::TimestampFromEpochSeconds(1700000000.5));
}

TEST(StatStatementsCollector, ReadsTheOldestVariantWithoutOptionalColumns) {
  FakeSession session(130012);
  InstallExtension(session, "1.8");
  session.AddResult(
      "stat_statements",
      {"userid",
       "dbid",
       "queryid",
       "rolname",
       "datname",
       "calls",
       "total_exec_time",
       "min_exec_time",
       "max_exec_time",
       "mean_exec_time",
       "stddev_exec_time",
       "plans",
       "total_plan_time",
       "rows",
       "shared_blks_hit",
       "shared_blks_read",
       "shared_blks_dirtied",
       "shared_blks_written",
       "local_blks_hit",
       "local_blks_read",
       "temp_blks_read",
       "temp_blks_written",
       "shared_blk_read_time",
       "shared_blk_write_time",
       "wal_records",
       "wal_fpi",
       "wal_bytes"},
      {{"10", "5", "42", std::nullopt, std::nullopt, "1", "2", "2", "2", "2", "0", "0", "0", "1",
        "1",  "0", "0",  "0",          "0",          "0", "0", "0", "0", "0", "0", "0", "0"}});
  session.AddResult("statement_texts", {"userid", "dbid", "queryid", "query"},
                    {{"10", "5", "42", "select 1"}});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk) << s.outcomes[0].message;
  ASSERT_EQ(s.statements.size(), 1u);
  EXPECT_FALSE(s.statements[0].toplevel.has_value());
  EXPECT_FALSE(s.statements[0].temp_blk_read_time.has_value());
  EXPECT_FALSE(s.statements[0].jit_functions.has_value());
  EXPECT_EQ(s.statements[0].rolname, "");  // a dropped role
  EXPECT_EQ(s.statements[0].query, "select 1");
  EXPECT_FALSE(s.statements_info.has_value());
}

// pg_stat_statements keeps utility statements verbatim, passwords included.
TEST(StatStatementsCollector, WithholdsTextsThatMayCarryACredential) {
  FakeSession session(150004);
  InstallExtension(session, "1.10");
  Collect(session);
  const pg::Query* texts = FindQuery(session, "statement_texts");
  ASSERT_NE(texts, nullptr);
  // An E'' literal: the pattern means the same whatever standard_conforming_strings says.
  EXPECT_NE(texts->sql.find("when t.query ~* E'password|passwd|secret|"), std::string::npos);
  EXPECT_NE(texts->sql.find("then '<withheld by pgvigil: may contain a credential>'"),
            std::string::npos);

  // Should a text get through anyway, Parse() withholds it.
  FakeSession leaky(150004);
  InstallExtension(leaky, "1.10");
  leaky.AddResult("stat_statements", kColumns110,
                  {Row110("10", "42", "t", "12.5"), Row110("10", "43", "t", "1")});
  leaky.AddResult("statement_texts", {"userid", "dbid", "queryid", "toplevel", "query"},
                  {{"10", "5", "42", "t", "ALTER ROLE app PASSWORD 'hunter2'"},
                   {"10", "5", "43", "t", "select $1"}});
  leaky.AddResult("stat_statements_info", {"dealloc", "stats_reset"}, {{"0", std::nullopt}});
  const model::Snapshot s = Collect(leaky);
  ASSERT_EQ(s.statements.size(), 2u);
  EXPECT_EQ(s.statements[0].query, "<withheld by pgvigil: may contain a credential>");
  EXPECT_EQ(s.statements[0].calls, 10);  // the counters stay
  EXPECT_EQ(s.statements[1].query, "select $1");
}

TEST(StatStatementsCollector, CountsStatementsOfOtherRolesThatAreHidden) {
  FakeSession session(150004);
  InstallExtension(session, "1.10");
  std::vector<std::optional<std::string>> hidden = Row110("12", "1", "t", "5");
  hidden[2] = std::nullopt;  // queryid
  session.AddResult("stat_statements", kColumns110, {Row110("10", "42", "t", "1"), hidden});
  session.AddResult("statement_texts", {"userid", "dbid", "queryid", "toplevel", "query"}, {});
  session.AddResult("stat_statements_info", {"dealloc", "stats_reset"}, {{"0", std::nullopt}});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk);
  EXPECT_NE(s.outcomes[0].message.find("1 statements of other roles are hidden"),
            std::string::npos);
  ASSERT_EQ(s.statements.size(), 1u);
  EXPECT_EQ(s.statements[0].queryid, 42);
}

TEST(StatStatementsCollector, AFailedTextQueryFailsTheCollector) {
  FakeSession session(150004);
  InstallExtension(session, "1.10");
  session.AddResult("stat_statements", kColumns110, {Row110("10", "42", "t", "1")});
  session.AddError("statement_texts",
                   common::Status(common::StatusCode::kTimeout, "canceling statement", "57014"));
  session.AddResult("stat_statements_info", {"dealloc", "stats_reset"}, {{"0", std::nullopt}});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kError);
  EXPECT_EQ(s.outcomes[0].sqlstate, "57014");
  EXPECT_TRUE(s.statements.empty());
}

}  // namespace
}  // namespace pgvigil::collect
