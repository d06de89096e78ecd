// SPDX-License-Identifier: Apache-2.0
#include "collect/exact_bloat.h"

#include <gtest/gtest.h>

namespace pgvigil::collect {
namespace {

pg::ServerInfo Server(bool with_pgstattuple) {
  pg::ServerInfo s;
  s.server_version_num = 160000;
  s.current_database = "app";
  if (with_pgstattuple) s.extensions.push_back({"pgstattuple", "1.5", "we\"ird"});
  return s;
}

TEST(PlanExactBloat, QuotesTheSchemaAndListsTheOids) {
  const std::vector<std::uint32_t> oids = {16384, 16390};
  const auto q = PlanExactBloat(Server(true), QueryCatalog::Builtin(), oids);
  ASSERT_TRUE(q.has_value()) << q.error().message();
  EXPECT_EQ(q->name, "exact_bloat");
  EXPECT_NE(q->sql.find("in (16384, 16390)"), std::string::npos);
  EXPECT_NE(q->sql.find("\"we\"\"ird\".pgstattuple_approx("), std::string::npos);
  EXPECT_NE(q->sql.find("\"we\"\"ird\".pgstatindex("), std::string::npos);
  EXPECT_EQ(q->sql.find("{{"), std::string::npos);
}

TEST(PlanExactBloat, SaysHowToInstallAMissingExtension) {
  const std::vector<std::uint32_t> oids = {1};
  const auto q = PlanExactBloat(Server(false), QueryCatalog::Builtin(), oids);
  ASSERT_FALSE(q.has_value());
  EXPECT_EQ(q.error().code(), common::StatusCode::kUnsupported);
  EXPECT_EQ(q.error().message(),
            "pgstattuple is not installed in database app (CREATE EXTENSION pgstattuple)");
  EXPECT_FALSE(PlanExactBloat(Server(true), QueryCatalog::Builtin(), {}).has_value());
}

TEST(ParseExactBloat, TurnsEachFigureIntoAWastedShare) {
  const auto rows = pg::ResultSet::FromTextForTest(
      {"oid", "relkind", "skipped", "approx_free_percent", "dead_tuple_percent", "table_len",
       "index_size", "leaf_pages", "empty_pages", "deleted_pages", "internal_pages",
       "avg_leaf_density", "index_fillfactor"},
      {{"100", "r", "", "50.2", "6.9", "8192000", std::nullopt, std::nullopt, std::nullopt,
        std::nullopt, std::nullopt, std::nullopt, "90"},
       // 100 pages: 1 metapage, 1 internal, 90 leaves at 45 % against 90 (half wasted), 8 deleted
       {"101", "i", "", std::nullopt, std::nullopt, std::nullopt, "819200", "90", "0", "8", "1",
        "45", "90"},
       {"102", "r", "an ACCESS EXCLUSIVE lock is held or awaited on it", std::nullopt, std::nullopt,
        std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
        std::nullopt, "90"}});
  const auto parsed = ParseExactBloat(rows, 8192);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message();
  ASSERT_EQ(parsed->size(), 3u);
  const model::ExactBloat& table = (*parsed)[0];
  EXPECT_TRUE(table.measured());
  EXPECT_EQ(table.method, "pgstattuple_approx");
  EXPECT_NEAR(table.wasted_ratio, 0.571, 1e-9);
  EXPECT_EQ(table.pages, 1000);
  const model::ExactBloat& index = (*parsed)[1];
  EXPECT_EQ(index.method, "pgstatindex");
  EXPECT_NEAR(index.wasted_ratio, (90 * 0.5 + 8) / 100.0, 1e-9);
  EXPECT_EQ(index.free_pages, 8);
  const model::ExactBloat& locked = (*parsed)[2];
  EXPECT_FALSE(locked.measured());
  EXPECT_EQ(locked.oid, 102u);
}

}  // namespace
}  // namespace pgvigil::collect
