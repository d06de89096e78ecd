// SPDX-License-Identifier: Apache-2.0
#include "collect/archiver_collector.h"

#include <gtest/gtest.h>

#include "collect/collection.h"
#include "support/fake_session.h"

namespace pgvigil::collect {
namespace {

using testing::FakeSession;

const std::vector<std::string> kColumns = {
    "archived_count",  "last_archived_wal", "last_archived_time", "failed_count",
    "last_failed_wal", "last_failed_time",  "stats_reset"};

model::Snapshot Collect(FakeSession& session) {
  model::Snapshot snapshot;
  const ArchiverCollector collector;
  const Collector* const collectors[] = {&collector};
  const Tier tiers[] = {Tier::kStandard};
  RunCollectors(session, collectors, tiers, CollectorOptions{}, QueryCatalog::Builtin(), snapshot);
  return snapshot;
}

TEST(ArchiverCollector, ReadsSuccessesAndFailures) {
  FakeSession session(150004);
  session.AddResult("stat_archiver", kColumns,
                    {{"120", "000000010000000000000078", "1700000000.5", "3",
                      "000000010000000000000079", "1700000100", "1690000000"}});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk) << s.outcomes[0].message;
  ASSERT_TRUE(s.archiver.has_value());
  EXPECT_EQ(s.archiver->archived_count, 120);
  EXPECT_EQ(s.archiver->last_archived_wal, "000000010000000000000078");
  EXPECT_EQ(s.archiver->last_archived_time, common::TimestampFromEpochSeconds(1700000000.5));
  EXPECT_EQ(s.archiver->failed_count, 3);
  EXPECT_EQ(s.archiver->last_failed_time, common::TimestampFromEpochSeconds(1700000100));
}

TEST(ArchiverCollector, ANeverArchivingServerHasEmptyFields) {
  FakeSession session(130012);
  session.AddResult(
      "stat_archiver", kColumns,
      {{"0", std::nullopt, std::nullopt, "0", std::nullopt, std::nullopt, "1690000000"}});
  const model::Snapshot s = Collect(session);
  ASSERT_TRUE(s.archiver.has_value());
  EXPECT_EQ(s.archiver->last_archived_wal, "");
  EXPECT_FALSE(s.archiver->last_archived_time.has_value());
  EXPECT_FALSE(s.archiver->last_failed_time.has_value());
  EXPECT_TRUE(s.archiver->stats_reset.has_value());
}

}  // namespace
}  // namespace pgvigil::collect
