// SPDX-License-Identifier: Apache-2.0
#include "collect/stat_user_indexes_collector.h"

#include <gtest/gtest.h>

#include "collect/collection.h"
#include "support/fake_session.h"

namespace pgvigil::collect {
namespace {

using testing::FakeSession;
using Row = std::vector<std::optional<std::string>>;

model::Snapshot Collect(FakeSession& session) {
  model::Snapshot snapshot;
  const StatUserIndexesCollector collector;
  const Collector* const collectors[] = {&collector};
  const Tier tiers[] = {Tier::kSlow};
  RunCollectors(session, collectors, tiers, CollectorOptions{}, QueryCatalog::Builtin(), snapshot);
  return snapshot;
}

const std::vector<std::string> kColumns = {
    "datname",      "relid",        "indexrelid",     "schemaname",           "relname",
    "indexrelname", "idx_scan",     "idx_tup_read",   "idx_tup_fetch",        "idx_blks_read",
    "idx_blks_hit", "reltuples",    "relpages",       "estimated_size_bytes", "access_method",
    "indisunique",  "indisprimary", "indisexclusion", "indimmediate",         "indisvalid",
    "indisready",   "indislive",    "indnkeyatts",    "key_columns",          "opclasses",
    "collations",   "indoption",    "predicate",      "constraint_name",      "constraint_type",
    "lock_pid",     "lock_granted"};

Row IndexRow(std::string relid, std::string indexrelname) {
  return {"app",
          std::move(relid),
          "20001",
          "app",
          "orders",
          std::move(indexrelname),
          "42",
          "420",
          "400",
          "3",
          "97",
          "5000",
          "22",
          "180224",
          "btree",
          "f",
          "f",
          "f",
          "t",
          "t",
          "t",
          "t",
          "2",
          "{customer_id,\"lower((note)::text)\",created_at}",
          "{int4_ops,text_pattern_ops}",
          "{\"\",C}",
          "{1,3}",
          "note IS NOT NULL",
          "",
          "",
          std::nullopt,
          std::nullopt};
}

TEST(StatUserIndexesCollector, ReadsTheDefinitionPartsOfAnIndex) {
  FakeSession session(150004);
  session.AddResult("stat_user_indexes", kColumns, {IndexRow("20000", "orders_customer_idx")});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk) << s.outcomes[0].message;
  ASSERT_EQ(s.indexes.size(), 1u);
  const model::IndexStats& x = s.indexes[0];
  EXPECT_EQ(x.indexrelid, 20001u);
  EXPECT_EQ(x.idx_scan, 42);
  EXPECT_EQ(*x.idx_blks_hit, 97);
  EXPECT_EQ(x.access_method, "btree");
  EXPECT_FALSE(x.indisunique);
  EXPECT_TRUE(x.indisvalid);
  EXPECT_EQ(x.indnkeyatts, 2);
  EXPECT_EQ(x.key_columns,
            (std::vector<std::string>{"customer_id", "lower((note)::text)", "created_at"}));
  EXPECT_EQ(x.opclasses, (std::vector<std::string>{"int4_ops", "text_pattern_ops"}));
  EXPECT_EQ(x.collations, (std::vector<std::string>{"", "C"}));
  EXPECT_EQ(x.indoption, (std::vector<int>{1, 3}));
  EXPECT_EQ(x.predicate, "note IS NOT NULL");
  EXPECT_TRUE(x.constraint_name.empty());
  EXPECT_FALSE(x.last_idx_scan.has_value());
  EXPECT_TRUE(s.skipped_relations.empty());
}

TEST(StatUserIndexesCollector, ReadsTheConstraintAnIndexBacks) {
  FakeSession session;
  Row row = IndexRow("20000", "orders_pkey");
  row[15] = "t";  // indisunique
  row[16] = "t";  // indisprimary
  row[23] = "{id}";
  row[24] = "{int8_ops}";
  row[25] = "{\"\"}";
  row[26] = "{0}";
  row[27] = "";
  row[28] = "orders_pkey";
  row[29] = "p";
  session.AddResult("stat_user_indexes", kColumns, {row});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.indexes.size(), 1u);
  EXPECT_TRUE(s.indexes[0].indisprimary);
  EXPECT_EQ(s.indexes[0].constraint_name, "orders_pkey");
  EXPECT_EQ(s.indexes[0].constraint_type, "p");
  EXPECT_EQ(s.indexes[0].collations, (std::vector<std::string>{""}));
}

TEST(StatUserIndexesCollector, LeavesOutTheIndexesOfALockedTableAndSaysWhy) {
  FakeSession session;
  Row locked_a = IndexRow("30000", "jobs_pkey");
  Row locked_b = IndexRow("30000", "jobs_state_idx");
  for (Row* row : {&locked_a, &locked_b}) {
    (*row)[4] = "jobs";
    (*row)[23] = "{id}";
    (*row)[27] = std::nullopt;  // predicate: not deparsed
    (*row)[30] = "4242";
    (*row)[31] = "f";
  }
  session.AddResult("stat_user_indexes", kColumns,
                    {IndexRow("20000", "orders_customer_idx"), locked_a, locked_b});
  const model::Snapshot s = Collect(session);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk) << s.outcomes[0].message;
  ASSERT_EQ(s.indexes.size(), 1u);
  EXPECT_EQ(s.indexes[0].indexrelname, "orders_customer_idx");
  ASSERT_EQ(s.skipped_relations.size(), 1u);  // one entry per table, not per index
  const model::SkippedRelation& skipped = s.skipped_relations[0];
  EXPECT_EQ(skipped.relid, 30000u);
  EXPECT_EQ(skipped.relname, "jobs");
  EXPECT_EQ(skipped.collector, "stat_user_indexes");
  EXPECT_EQ(skipped.reason, "AccessExclusiveLock requested by pid 4242");
}

TEST(StatUserIndexesCollector, ReadsLastIdxScanFrom16) {
  FakeSession session(160003);
  std::vector<std::string> columns = kColumns;
  columns.push_back("last_idx_scan");
  Row row = IndexRow("20000", "orders_customer_idx");
  row.push_back("1700000000.25");
  session.AddResult("stat_user_indexes", columns, {row});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(session.pipelines().size(), 1u);
  EXPECT_NE(session.pipelines()[0][0].sql.find("last_idx_scan"), std::string::npos);
  ASSERT_EQ(s.indexes.size(), 1u);
  EXPECT_EQ(*s.indexes[0].last_idx_scan, common::TimestampFromEpochSeconds(1700000000.25));
}

TEST(StatUserIndexesCollector, UsesTheVariantWithoutLastIdxScanBefore16) {
  FakeSession session(150004);
  session.AddResult("stat_user_indexes", kColumns, {});
  Collect(session);
  ASSERT_EQ(session.pipelines().size(), 1u);
  EXPECT_EQ(session.pipelines()[0][0].sql.find("last_idx_scan"), std::string::npos);
}

TEST(StatUserIndexesCollector, AMalformedArrayIsAnError) {
  FakeSession session;
  Row row = IndexRow("20000", "orders_customer_idx");
  row[26] = "[0:1]={0,3}";  // an int2vector printed as is: 0-based, not a plain array
  session.AddResult("stat_user_indexes", kColumns, {row});
  const model::Snapshot s = Collect(session);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kError);
  EXPECT_NE(s.outcomes[0].message.find("indoption"), std::string::npos);
}

}  // namespace
}  // namespace pgvigil::collect
