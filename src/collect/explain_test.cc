// SPDX-License-Identifier: Apache-2.0
#include "collect/explain.h"

#include <gtest/gtest.h>

namespace pgvigil::collect {
namespace {

pg::ServerInfo Server(int major, bool hypopg) {
  pg::ServerInfo s;
  s.server_version_num = major * 10000 + 1;
  s.current_database = "app";
  if (hypopg) s.extensions.push_back({"hypopg", "1.3.1", "my schema"});
  return s;
}

const QueryCatalog& Catalog() { return QueryCatalog::Builtin(); }

TEST(PlanGenericExplain, KeepsTheTextLastSoNoPlaceholderInsideItIsReplaced) {
  auto q = PlanGenericExplain(Server(16, false), Catalog(), "n",
                              "SELECT * FROM t WHERE a = $1 AND b = '{{name}}';\n", 1);
  ASSERT_TRUE(q.has_value()) << q.error().message();
  ASSERT_EQ(q->queries.size(), 3u);
  const std::string& sql = q->queries[0].sql;
  EXPECT_NE(sql.find("PREPARE \"n\" AS /* pgvigil */ SELECT * FROM t WHERE a = $1 AND b = "
                     "'{{name}}'"),
            std::string::npos)
      << sql;
  EXPECT_TRUE(sql.ends_with("b = '{{name}}'\n")) << sql;  // the trailing ';' is gone
}

TEST(PlanGenericExplain, PreparesExplainsAndDeallocates) {
  auto q = PlanGenericExplain(Server(15, false), Catalog(), "pgvigil_explain_1",
                              "SELECT * FROM t WHERE a = $1 AND b > $2", 2);
  ASSERT_TRUE(q.has_value()) << q.error().message();
  ASSERT_EQ(q->queries.size(), 3u);
  EXPECT_EQ(q->plan_index, 1u);
  EXPECT_NE(q->queries[0].sql.find("PREPARE \"pgvigil_explain_1\" AS /* pgvigil */ SELECT * "
                                   "FROM t WHERE a = $1 AND b > $2"),
            std::string::npos)
      << q->queries[0].sql;
  EXPECT_NE(q->queries[1].sql.find("EXPLAIN (FORMAT JSON) EXECUTE \"pgvigil_explain_1\"(NULL, "
                                   "NULL)"),
            std::string::npos)
      << q->queries[1].sql;
  EXPECT_NE(q->queries[2].sql.find("DEALLOCATE \"pgvigil_explain_1\""), std::string::npos);
  EXPECT_FALSE(PlanGenericExplain(Server(15, false), Catalog(), "n", " ;\n", 0).has_value());
}

TEST(PlanExplainSettings, ForcesGenericPlansAndPutsThemBack) {
  using std::chrono::milliseconds;
  auto set = PlanExplainSettings(Server(15, false), Catalog(), milliseconds(2000), false);
  ASSERT_TRUE(set.has_value());
  EXPECT_NE(set->sql.find("set_config('statement_timeout', '2000', false)"), std::string::npos);
  EXPECT_NE(set->sql.find("coalesce('force_generic_plan'"), std::string::npos) << set->sql;
  auto restore = PlanExplainSettings(Server(15, false), Catalog(), milliseconds(5000), true);
  ASSERT_TRUE(restore.has_value());
  EXPECT_NE(restore->sql.find("'5000'"), std::string::npos);
  EXPECT_NE(restore->sql.find("coalesce(NULL"), std::string::npos) << restore->sql;
  auto on16 = PlanExplainSettings(Server(16, false), Catalog(), milliseconds(2000), false);
  ASSERT_TRUE(on16.has_value());
  EXPECT_NE(on16->sql.find("coalesce('force_generic_plan'"), std::string::npos);
}

TEST(PlanHypopgCreateIndex, QuotesEveryIdentifierAndNeedsTheExtension) {
  auto q = PlanHypopgCreateIndex(Server(15, true), Catalog(), "public", "or'ders",
                                 {"customer\"id", "created_at"});
  ASSERT_TRUE(q.has_value()) << q.error().message();
  EXPECT_NE(q->sql.find("FROM \"my schema\".hypopg_create_index('CREATE INDEX ON "
                        "\"public\".\"or''ders\" (\"customer\"\"id\", \"created_at\")')"),
            std::string::npos)
      << q->sql;
  auto missing = PlanHypopgCreateIndex(Server(15, false), Catalog(), "public", "t", {"c"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message(),
            "hypopg is not installed in database app (CREATE EXTENSION hypopg)");
  EXPECT_FALSE(PlanHypopgCreateIndex(Server(15, true), Catalog(), "public", "t", {}).has_value());
  auto reset = PlanHypopgReset(Server(15, true), Catalog());
  ASSERT_TRUE(reset.has_value());
  EXPECT_NE(reset->sql.find("\"my schema\".hypopg_reset()"), std::string::npos);
}

}  // namespace
}  // namespace pgvigil::collect
