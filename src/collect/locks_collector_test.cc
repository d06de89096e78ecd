// SPDX-License-Identifier: Apache-2.0
#include "collect/locks_collector.h"

#include <gtest/gtest.h>

#include "collect/collection.h"
#include "support/fake_session.h"

namespace pgvigil::collect {
namespace {

using testing::FakeSession;

const std::vector<std::string> kColumns = {"pid",          "blocking_pids",      "locktype",
                                           "mode",         "relation",           "datname",
                                           "wait_seconds", "is_wait_start_exact"};

model::Snapshot Collect(FakeSession& session) {
  model::Snapshot snapshot;
  const LocksCollector collector;
  const Collector* const collectors[] = {&collector};
  const Tier tiers[] = {Tier::kFast};
  RunCollectors(session, collectors, tiers, CollectorOptions{}, QueryCatalog::Builtin(), snapshot);
  return snapshot;
}

TEST(LocksCollector, ReadsAWaitChainWithItsBlockers) {
  FakeSession session(150004);
  // 103 waits for 102's tuple lock, 102 for 101's transaction; 104 waits behind both.
  session.AddResult(
      "locks", kColumns,
      {{"102", "{101}", "transactionid", "ShareLock", std::nullopt, "app", "3.5", "t"},
       {"103", "{102}", "tuple", "ExclusiveLock", "public.orders", "app", "2", "t"},
       {"104", "{101,102}", "relation", "AccessExclusiveLock", "\"We\"\"ird\".\"T x\"", "app",
        std::nullopt, "f"}});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk) << s.outcomes[0].message;
  ASSERT_EQ(s.lock_waits.size(), 3u);
  EXPECT_EQ(s.lock_waits[0].pid, 102);
  EXPECT_EQ(s.lock_waits[0].blocking_pids, std::vector<int>{101});
  EXPECT_EQ(s.lock_waits[0].locktype, "transactionid");
  EXPECT_EQ(s.lock_waits[0].relation, "");
  EXPECT_DOUBLE_EQ(*s.lock_waits[0].wait_seconds, 3.5);
  EXPECT_TRUE(s.lock_waits[0].is_wait_start_exact);
  EXPECT_EQ(s.lock_waits[1].relation, "public.orders");
  EXPECT_EQ(s.lock_waits[2].blocking_pids, (std::vector<int>{101, 102}));
  EXPECT_EQ(s.lock_waits[2].relation, "\"We\"\"ird\".\"T x\"");
  EXPECT_FALSE(s.lock_waits[2].wait_seconds.has_value());
  EXPECT_FALSE(s.lock_waits[2].is_wait_start_exact);
}

TEST(LocksCollector, ABlockerThatIsGoneLeavesAnEmptyList) {
  FakeSession session(150004);
  session.AddResult("locks", kColumns,
                    {{"102", "{}", "transactionid", "ShareLock", std::nullopt, "app", "0.1", "t"}});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.lock_waits.size(), 1u);
  EXPECT_TRUE(s.lock_waits[0].blocking_pids.empty());
}

TEST(LocksCollector, TimesTheWaitFromWaitstartFrom14On) {
  FakeSession session(140011);
  session.AddResult("locks", kColumns, {});
  Collect(session);
  ASSERT_EQ(session.pipelines().size(), 1u);
  const std::string& sql = session.pipelines()[0][0].sql;
  EXPECT_NE(sql.find("l.waitstart"), std::string::npos);
  // pg_blocking_pids is costly: only waiting backends get it.
  EXPECT_NE(sql.find("where a.wait_event_type = 'Lock'"), std::string::npos);
  EXPECT_NE(sql.find("not l.granted"), std::string::npos);
}

TEST(LocksCollector, FallsBackToStateChangeOn13) {
  FakeSession session(130012);
  session.AddResult("locks", kColumns,
                    {{"7", "{6}", "relation", "RowExclusiveLock", "16384", "other", "12", "f"}});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(session.pipelines().size(), 1u);
  const std::string& sql = session.pipelines()[0][0].sql;
  EXPECT_EQ(sql.find("waitstart"), std::string::npos);
  EXPECT_NE(sql.find("a.state_change"), std::string::npos);
  ASSERT_EQ(s.lock_waits.size(), 1u);
  EXPECT_FALSE(s.lock_waits[0].is_wait_start_exact);
  EXPECT_EQ(s.lock_waits[0].relation, "16384");  // a relation of another database
}

TEST(LocksCollector, AMalformedPidArrayIsAnError) {
  FakeSession session(150004);
  session.AddResult("locks", kColumns,
                    {{"102", "{x}", "transactionid", "ShareLock", std::nullopt, "app", "1", "t"}});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kError);
  EXPECT_NE(s.outcomes[0].message.find("blocking_pids"), std::string::npos);
}

}  // namespace
}  // namespace pgvigil::collect
