// SPDX-License-Identifier: Apache-2.0
#include "collect/wal_collector.h"

#include <gtest/gtest.h>

#include "collect/collection.h"
#include "support/fake_session.h"

namespace pgvigil::collect {
namespace {

using testing::FakeSession;

model::Snapshot Collect(FakeSession& session) {
  model::Snapshot snapshot;
  const WalCollector collector;
  const Collector* const collectors[] = {&collector};
  const Tier tiers[] = {Tier::kStandard};
  RunCollectors(session, collectors, tiers, CollectorOptions{}, QueryCatalog::Builtin(), snapshot);
  return snapshot;
}

TEST(WalCollector, ReadsOnlyThePositionOn13) {
  FakeSession session(130012);
  session.AddResult("wal", {"wal_lsn_bytes"}, {{"26887160"}});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(session.pipelines().size(), 1u);
  EXPECT_EQ(session.pipelines()[0][0].sql.find("pg_stat_wal"), std::string::npos);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk) << s.outcomes[0].message;
  ASSERT_TRUE(s.wal.has_value());
  EXPECT_EQ(s.wal->wal_lsn_bytes, 26887160);
  EXPECT_FALSE(s.wal->wal_records.has_value());
  EXPECT_FALSE(s.wal->stats_reset.has_value());
}

TEST(WalCollector, ReadsPgStatWalFrom14) {
  FakeSession session(150004);
  session.AddResult(
      "wal",
      {"wal_lsn_bytes", "wal_records", "wal_fpi", "wal_bytes", "wal_buffers_full", "wal_write",
       "wal_sync", "wal_write_time", "wal_sync_time", "stats_reset"},
      {{"26887160", "27823", "1411", "10030371", "25", "788", "3", "0", "1.5", "1700000000.25"}});
  const model::Snapshot s = Collect(session);
  ASSERT_TRUE(s.wal.has_value());
  EXPECT_EQ(s.wal->wal_records, 27823);
  EXPECT_EQ(s.wal->wal_bytes, 10030371);
  EXPECT_EQ(s.wal->wal_write, 788);
  EXPECT_DOUBLE_EQ(*s.wal->wal_sync_time, 1.5);
  EXPECT_EQ(s.wal->stats_reset, common::TimestampFromEpochSeconds(1700000000.25));
}

TEST(WalCollector, Has18sColumnsWithoutWritesAndSyncs) {
  FakeSession session(180001);
  session.AddResult(
      "wal",
      {"wal_lsn_bytes", "wal_records", "wal_fpi", "wal_bytes", "wal_buffers_full", "stats_reset"},
      {{"1", "2", "3", "4", "5", std::nullopt}});
  const model::Snapshot s = Collect(session);
  const std::string& sql = session.pipelines()[0][0].sql;
  EXPECT_NE(sql.find("pg_catalog.pg_stat_wal"), std::string::npos);
  EXPECT_EQ(sql.find("wal_write"), std::string::npos);
  EXPECT_EQ(sql.find("wal_sync"), std::string::npos);
  ASSERT_TRUE(s.wal.has_value());
  EXPECT_EQ(s.wal->wal_buffers_full, 5);
  EXPECT_FALSE(s.wal->wal_write.has_value());
  EXPECT_FALSE(s.wal->wal_sync_time.has_value());
}

// A standby restoring from the archive has no receive position.
TEST(WalCollector, APositionUnknownOnAStandbyIsEmpty) {
  FakeSession session(130012);
  session.AddResult("wal", {"wal_lsn_bytes"}, {{std::nullopt}});
  const model::Snapshot s = Collect(session);
  ASSERT_TRUE(s.wal.has_value());
  EXPECT_FALSE(s.wal->wal_lsn_bytes.has_value());
  const std::string& sql = session.pipelines()[0][0].sql;
  EXPECT_LT(sql.find("pg_last_wal_receive_lsn()"), sql.find("pg_current_wal_lsn()"));
}

}  // namespace
}  // namespace pgvigil::collect
