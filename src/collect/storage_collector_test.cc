// SPDX-License-Identifier: Apache-2.0
#include "collect/storage_collector.h"

#include <gtest/gtest.h>

#include "collect/collection.h"
#include "support/fake_session.h"

namespace pgvigil::collect {
namespace {

using testing::FakeSession;

const std::vector<std::string> kSizeColumns = {"datname", "size_bytes"};
const std::vector<std::string> kRelationColumns = {"datname",     "relid",        "schemaname",
                                                   "relname",     "relkind",      "total_bytes",
                                                   "table_bytes", "indexes_bytes"};
const std::vector<std::string> kLockedColumns = {"datname", "relid",   "schemaname",     "relname",
                                                 "pid",     "granted", "locked_relation"};

model::Snapshot Collect(FakeSession& session, CollectorOptions options = {}) {
  model::Snapshot snapshot;
  const StorageCollector collector;
  const Collector* const collectors[] = {&collector};
  const Tier tiers[] = {Tier::kSlow};
  RunCollectors(session, collectors, tiers, options, QueryCatalog::Builtin(), snapshot);
  return snapshot;
}

void AddEmptyResults(FakeSession& session) {
  session.AddResult("database_sizes", kSizeColumns, {});
  session.AddResult("largest_relations", kRelationColumns, {});
  session.AddResult("exclusively_locked_relations", kLockedColumns, {});
}

TEST(StorageCollector, PutsTheRelationLimitIntoBothRelationQueries) {
  FakeSession session;
  AddEmptyResults(session);
  CollectorOptions options;
  options.largest_relations_limit = 7;
  Collect(session, options);
  ASSERT_EQ(session.pipelines().size(), 1u);
  const std::vector<pg::Query>& queries = session.pipelines()[0];
  ASSERT_EQ(queries.size(), 3u);
  EXPECT_EQ(queries[0].name, "database_sizes");
  for (const pg::Query& q : queries) {
    SCOPED_TRACE(q.name);
    EXPECT_EQ(q.sql.find("{{"), std::string::npos);
  }
  EXPECT_NE(queries[1].sql.find("limit 7\n"), std::string::npos);
  EXPECT_NE(queries[2].sql.find("limit 7\n"), std::string::npos);
}

TEST(StorageCollector, MeasuresNothingForANegativeLimit) {
  FakeSession session;
  AddEmptyResults(session);
  CollectorOptions options;
  options.largest_relations_limit = -3;
  Collect(session, options);
  EXPECT_NE(session.pipelines()[0][1].sql.find("limit 0\n"), std::string::npos);
}

TEST(StorageCollector, ReadsSizesAndTheLargestRelations) {
  FakeSession session;
  session.AddResult("database_sizes", kSizeColumns,
                    {{"app", "123456789"}, {"postgres", "7781735"}});
  session.AddResult("largest_relations", kRelationColumns,
                    {{"app", "16400", "public", "events", "r", "900000", "700000", "200000"},
                     {"app", "16500", "report", "daily", "m", "8192", "8192", "0"}});
  session.AddResult("exclusively_locked_relations", kLockedColumns, {});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk) << s.outcomes[0].message;
  EXPECT_EQ(s.outcomes[0].rows, 4);
  ASSERT_EQ(s.database_sizes.size(), 2u);
  EXPECT_EQ(s.database_sizes[0].datname, "app");
  EXPECT_EQ(s.database_sizes[0].size_bytes, 123456789);
  ASSERT_EQ(s.largest_relations.size(), 2u);
  EXPECT_EQ(s.largest_relations[0].relid, 16400u);
  EXPECT_EQ(s.largest_relations[0].total_bytes, 900000);
  EXPECT_EQ(s.largest_relations[0].table_bytes, 700000);
  EXPECT_EQ(s.largest_relations[0].indexes_bytes, 200000);
  EXPECT_EQ(s.largest_relations[1].relkind, "m");
  EXPECT_TRUE(s.skipped_relations.empty());
}

TEST(StorageCollector, ListsExclusivelyLockedRelationsAsSkipped) {
  FakeSession session;
  session.AddResult("database_sizes", kSizeColumns, {{"app", "1"}});
  session.AddResult("largest_relations", kRelationColumns, {});
  session.AddResult("exclusively_locked_relations", kLockedColumns,
                    {{"app", "16400", "public", "events", "123", "t", ""},
                     {"app", "16401", "public", "jobs", "456", "f", ""},
                     {"app", "16402", "public", "orders", "789", "t", "public.orders_pkey"},
                     {"app", "16403", "public", "ledger", std::nullopt, "t", ""}});
  const model::Snapshot s = Collect(session);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk) << s.outcomes[0].message;
  ASSERT_EQ(s.skipped_relations.size(), 4u);
  EXPECT_EQ(s.skipped_relations[0].collector, "storage");
  EXPECT_EQ(s.skipped_relations[0].datname, "app");
  EXPECT_EQ(s.skipped_relations[0].relid, 16400u);
  EXPECT_EQ(s.skipped_relations[0].schemaname, "public");
  EXPECT_EQ(s.skipped_relations[0].relname, "events");
  EXPECT_EQ(s.skipped_relations[0].reason, "AccessExclusiveLock held by pid 123");
  EXPECT_EQ(s.skipped_relations[1].reason, "AccessExclusiveLock requested by pid 456");
  EXPECT_EQ(s.skipped_relations[2].reason,
            "AccessExclusiveLock on public.orders_pkey held by pid 789");
  EXPECT_EQ(s.skipped_relations[3].reason, "AccessExclusiveLock held by a prepared transaction");
}

TEST(StorageCollector, AFailedSizeQueryFailsTheCollector) {
  FakeSession session;
  AddEmptyResults(session);
  session.AddError("largest_relations",
                   common::Status(common::StatusCode::kTimeout,
                                  "canceling statement due to lock timeout", "55P03"));
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kError);
  EXPECT_EQ(s.outcomes[0].sqlstate, "55P03");
  EXPECT_TRUE(s.database_sizes.empty());
}

TEST(LockSkipReason, NamesTheModeTheLockedRelationAndThePid) {
  EXPECT_EQ(LockSkipReason("ShareRowExclusiveLock", "", 5, true),
            "ShareRowExclusiveLock held by pid 5");
  EXPECT_EQ(LockSkipReason("AccessExclusiveLock", "pg_toast.pg_toast_1_index", 6, false),
            "AccessExclusiveLock on pg_toast.pg_toast_1_index requested by pid 6");
}

}  // namespace
}  // namespace pgvigil::collect
