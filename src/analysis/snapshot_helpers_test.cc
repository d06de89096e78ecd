// SPDX-License-Identifier: Apache-2.0
#include "analysis/snapshot_helpers.h"

#include <gtest/gtest.h>

namespace pgvigil::analysis {
namespace {

TEST(QuoteIdent, AlwaysQuotesAndDoublesEmbeddedQuotes) {
  EXPECT_EQ(QuoteIdent("orders"), "\"orders\"");
  EXPECT_EQ(QuoteIdent("Orders"), "\"Orders\"");
  EXPECT_EQ(QuoteIdent("we\"ird"), "\"we\"\"ird\"");
  EXPECT_EQ(QuoteIdent("x\"; DROP TABLE t; --"), "\"x\"\"; DROP TABLE t; --\"");
}

TEST(QuoteIdent, QualifiesSchemaAndName) {
  EXPECT_EQ(QuoteQualified("public", "we\"ird"), "\"public\".\"we\"\"ird\"");
}

TEST(QuoteStringLiteral, DoublesQuotesAndEscapesBackslashesAsQuoteLiteralDoes) {
  EXPECT_EQ(QuoteStringLiteral("standby1"), "'standby1'");
  EXPECT_EQ(QuoteStringLiteral("it's'); DROP TABLE t; --"), "'it''s''); DROP TABLE t; --'");
  EXPECT_EQ(QuoteStringLiteral("a\\b'c"), "E'a\\\\b''c'");
}

TEST(FormatCount, SaysMillionsAndBillionsInWords) {
  EXPECT_EQ(FormatCount(950), "950");
  EXPECT_EQ(FormatCount(123456), "123456");
  EXPECT_EQ(FormatCount(1.24e6), "1.2 million");
  EXPECT_EQ(FormatCount(150e6), "150 million");
  EXPECT_EQ(FormatCount(1.5e9), "1.5 billion");
}

model::Snapshot At(double collected_at) {
  model::Snapshot s;
  s.collected_at = common::TimestampFromEpochSeconds(collected_at);
  return s;
}

TEST(CollectedAt, IsTheTierTimeWhenSetElseCollectedAt) {
  model::Snapshot s = At(1000);
  s.tier_times.standard = common::TimestampFromEpochSeconds(990);
  EXPECT_EQ(model::CollectedAt(s, model::kStandardTier), common::TimestampFromEpochSeconds(990));
  EXPECT_EQ(model::CollectedAt(s, model::kSlowTier), s.collected_at);
  EXPECT_EQ(model::CollectedAt(s, model::kFastTier), s.collected_at);
  EXPECT_EQ(model::CollectedAt(s, "no such tier"), s.collected_at);
}

TEST(IntervalSeconds, MeasuresEachTierBetweenItsOwnCollections) {
  // A composed pair as the daemon builds it: fast parts 1 s apart, standard 15 s, slow 5 min.
  model::Snapshot before = At(1000);
  before.tier_times = {common::TimestampFromEpochSeconds(1000),
                       common::TimestampFromEpochSeconds(986),
                       common::TimestampFromEpochSeconds(700)};
  model::Snapshot now = At(1001);
  now.tier_times = {common::TimestampFromEpochSeconds(1001),
                    common::TimestampFromEpochSeconds(1001),
                    common::TimestampFromEpochSeconds(1000)};
  EXPECT_DOUBLE_EQ(IntervalSeconds(now, before, model::kFastTier), 1);
  EXPECT_DOUBLE_EQ(IntervalSeconds(now, before, model::kStandardTier), 15);
  EXPECT_DOUBLE_EQ(IntervalSeconds(now, before, model::kSlowTier), 300);
  // One-shot snapshots (pgvigil check, scenario fixtures) keep using collected_at.
  EXPECT_DOUBLE_EQ(IntervalSeconds(At(1060), At(1000), model::kSlowTier), 60);
  EXPECT_DOUBLE_EQ(IntervalSeconds(At(1000), At(1060), model::kSlowTier), 0);
}

TEST(CountersComparable, NeedsTheTierReadAgainInTheSameServerLife) {
  model::Snapshot before = At(1000);
  before.tier_times.slow = common::TimestampFromEpochSeconds(700);
  model::Snapshot now = At(1001);
  now.tier_times.slow = common::TimestampFromEpochSeconds(700);  // not read again since
  EXPECT_TRUE(CountersComparable(now, before, model::kFastTier));
  EXPECT_TRUE(CountersComparable(now, before, model::kStandardTier));
  EXPECT_FALSE(CountersComparable(now, before, model::kSlowTier));
  now.tier_times.slow = common::TimestampFromEpochSeconds(1000);
  EXPECT_TRUE(CountersComparable(now, before, model::kSlowTier));
  now.server.postmaster_start_time = common::TimestampFromEpochSeconds(999);  // a restart
  EXPECT_FALSE(CountersComparable(now, before, model::kSlowTier));
}

}  // namespace
}  // namespace pgvigil::analysis
