// SPDX-License-Identifier: Apache-2.0
#include "collect/bloat_inputs_collector.h"

#include <gtest/gtest.h>

#include "collect/collection.h"
#include "support/fake_session.h"

namespace pgvigil::collect {
namespace {

using testing::FakeSession;
using Row = std::vector<std::optional<std::string>>;

const std::vector<std::string> kColumns = {
    "datname",      "relid",       "indexrelid", "schemaname",         "relname",
    "indexrelname", "reltuples",   "relpages",   "fillfactor",         "header_width",
    "data_width",   "tuple_width", "columns",    "columns_with_stats", "is_readable"};

model::Snapshot Collect(FakeSession& session) {
  model::Snapshot snapshot;
  const BloatInputsCollector collector;
  const Collector* const collectors[] = {&collector};
  const Tier tiers[] = {Tier::kSlow};
  RunCollectors(session, collectors, tiers, CollectorOptions{}, QueryCatalog::Builtin(), snapshot);
  return snapshot;
}

Row Table(std::string schema, std::string name, int columns, int with_stats, bool readable) {
  return {"app",
          "16384",
          "0",
          std::move(schema),
          std::move(name),
          "",
          "40000",
          "935",
          "100",
          "23",
          "41",
          "72",
          std::to_string(columns),
          std::to_string(with_stats),
          readable ? "t" : "f"};
}

Row Index(std::string schema, std::string table, std::string name) {
  return {"app",
          "16384",
          "16390",
          std::move(schema),
          std::move(table),
          std::move(name),
          "40000",
          "276",
          "90",
          "8",
          "8",
          "16",
          "1",
          "1",
          "t"};
}

TEST(BloatInputsCollector, ReadsATableAndItsBtreeIndex) {
  FakeSession session;
  session.AddResult(
      "bloat_inputs", kColumns,
      {Table("public", "orders", 2, 2, true), Index("public", "orders", "orders_pkey")});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk) << s.outcomes[0].message;
  EXPECT_TRUE(s.outcomes[0].message.empty()) << s.outcomes[0].message;
  ASSERT_EQ(s.bloat_inputs.size(), 2u);
  const model::BloatInputs& t = s.bloat_inputs[0];
  EXPECT_FALSE(t.is_index());
  EXPECT_EQ(t.datname, "app");
  EXPECT_EQ(t.relid, 16384u);
  EXPECT_EQ(t.relname, "orders");
  EXPECT_EQ(t.reltuples, 40000);
  EXPECT_EQ(t.relpages, 935);
  EXPECT_EQ(t.fillfactor, 100);
  EXPECT_EQ(t.header_width, 23);
  EXPECT_DOUBLE_EQ(t.data_width, 41);
  EXPECT_DOUBLE_EQ(t.tuple_width, 72);
  EXPECT_EQ(t.columns, 2);
  const model::BloatInputs& i = s.bloat_inputs[1];
  EXPECT_TRUE(i.is_index());
  EXPECT_EQ(i.indexrelid, 16390u);
  EXPECT_EQ(i.indexrelname, "orders_pkey");
  EXPECT_EQ(i.fillfactor, 90);
}

TEST(BloatInputsCollector, LeavesOutHiddenStatisticsAndNamesTheGrant) {
  FakeSession session;
  session.AddResult("bloat_inputs", kColumns,
                    {Table("public", "orders", 3, 0, false), Table("we\"ird", "t", 3, 0, false),
                     Table("public", "visible", 2, 2, true)});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.bloat_inputs.size(), 1u);
  EXPECT_EQ(s.bloat_inputs[0].relname, "visible");
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk);
  const std::string& m = s.outcomes[0].message;
  EXPECT_NE(m.find("2 tables and 0 indexes"), std::string::npos) << m;
  EXPECT_NE(m.find("GRANT pg_read_all_data TO \"monitor\""), std::string::npos) << m;
  EXPECT_NE(m.find("IN SCHEMA \"public\", \"we\"\"ird\""), std::string::npos) << m;
}

TEST(BloatInputsCollector, SuggestsSelectGrantsBefore14) {
  FakeSession session(130010);
  session.AddResult("bloat_inputs", kColumns, {Table("app", "orders", 3, 0, false)});
  const model::Snapshot s = Collect(session);
  const std::string& m = s.outcomes[0].message;
  EXPECT_EQ(m.find("pg_read_all_data"), std::string::npos) << m;
  EXPECT_NE(m.find("GRANT SELECT ON ALL TABLES IN SCHEMA \"app\" TO \"monitor\""),
            std::string::npos)
      << m;
}

TEST(BloatInputsCollector, CountsReadableRelationsWithoutStatisticsApart) {
  FakeSession session;
  Row never_analyzed = Table("public", "fresh", 2, 0, true);
  Row partial = Table("public", "partial", 3, 2, true);
  Row no_reltuples = Table("public", "new", 2, 2, true);
  no_reltuples[6] = "-1";
  session.AddResult("bloat_inputs", kColumns, {never_analyzed, partial, no_reltuples});
  const model::Snapshot s = Collect(session);
  EXPECT_TRUE(s.bloat_inputs.empty());
  const std::string& m = s.outcomes[0].message;
  EXPECT_NE(m.find("3 relations without statistics"), std::string::npos) << m;
  EXPECT_EQ(m.find("GRANT"), std::string::npos) << m;
}

}  // namespace
}  // namespace pgvigil::collect
