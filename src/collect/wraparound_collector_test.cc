// SPDX-License-Identifier: Apache-2.0
#include "collect/wraparound_collector.h"

#include <gtest/gtest.h>

#include "collect/collection.h"
#include "support/fake_session.h"

namespace pgvigil::collect {
namespace {

using testing::FakeSession;

const std::vector<std::string> kAgeColumns = {"datname", "datfrozenxid_age", "datminmxid_age",
                                              "datallowconn"};
const std::vector<std::string> kPreparedColumns = {"gid", "owner", "datname",
                                                   "prepared_age_seconds", "xid_age"};

model::Snapshot Collect(FakeSession& session) {
  model::Snapshot snapshot;
  const WraparoundCollector collector;
  const Collector* const collectors[] = {&collector};
  const Tier tiers[] = {Tier::kStandard};
  RunCollectors(session, collectors, tiers, CollectorOptions{}, QueryCatalog::Builtin(), snapshot);
  return snapshot;
}

TEST(WraparoundCollector, ReadsDatabaseAgesAndPreparedTransactions) {
  FakeSession session(150004);
  session.AddResult("database_ages", kAgeColumns,
                    {{"app", "1500000000", "20", "t"}, {"template0", "1500000000", "0", "f"}});
  session.AddResult("prepared_xacts", kPreparedColumns,
                    {{"tx-7", "alice", "app", "86400.25", "1200"}});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk) << s.outcomes[0].message;
  ASSERT_EQ(s.database_ages.size(), 2u);
  EXPECT_EQ(s.database_ages[0].datname, "app");
  EXPECT_EQ(s.database_ages[0].datfrozenxid_age, 1500000000);
  EXPECT_EQ(s.database_ages[0].datminmxid_age, 20);
  EXPECT_TRUE(s.database_ages[0].datallowconn);
  EXPECT_FALSE(s.database_ages[1].datallowconn);
  ASSERT_EQ(s.prepared_transactions.size(), 1u);
  EXPECT_EQ(s.prepared_transactions[0].gid, "tx-7");
  EXPECT_EQ(s.prepared_transactions[0].owner, "alice");
  EXPECT_DOUBLE_EQ(s.prepared_transactions[0].prepared_age_seconds, 86400.25);
  EXPECT_EQ(s.prepared_transactions[0].xid_age, 1200);
}

TEST(WraparoundCollector, WithoutPreparedTransactionsReadsOnlyAges) {
  FakeSession session(130012);
  session.AddResult("database_ages", kAgeColumns, {{"app", "10", "0", "t"}});
  session.AddResult("prepared_xacts", kPreparedColumns, {});
  const model::Snapshot s = Collect(session);
  EXPECT_EQ(s.database_ages.size(), 1u);
  EXPECT_TRUE(s.prepared_transactions.empty());
}

TEST(WraparoundCollector, AMissingColumnIsAnError) {
  FakeSession session(150004);
  session.AddResult("database_ages", {"datname", "datfrozenxid_age"}, {{"app", "10"}});
  session.AddResult("prepared_xacts", kPreparedColumns, {});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kError);
  EXPECT_NE(s.outcomes[0].message.find("datminmxid_age"), std::string::npos);
}

}  // namespace
}  // namespace pgvigil::collect
