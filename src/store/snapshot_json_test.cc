// SPDX-License-Identifier: Apache-2.0
#include "store/snapshot_json.h"

#include <gtest/gtest.h>

#include <sstream>

#include "store/json_types.h"

namespace pgvigil::store {
namespace {

TEST(SnapshotJson, RoundTripsOptionalsTimestampsAndOutcomes) {
  model::Snapshot s;
  s.target = "db1";
  s.collected_at = common::Timestamp(std::chrono::microseconds(1'763'795'016'123'456));
  model::Backend b;
  b.pid = 7;
  b.xact_age_seconds = 1.5;
  s.activity.push_back(b);
  model::CollectorOutcome o;
  o.collector = "stat_activity";
  o.status = model::CollectorStatus::kSkipped;
  s.outcomes.push_back(o);
  const nlohmann::json j = SnapshotToJson(s);
  EXPECT_EQ(j["collected_at"], "2025-11-22T07:03:36.123456Z");
  EXPECT_TRUE(j["activity"][0]["backend_xmin_age"].is_null());
  EXPECT_EQ(j["outcomes"][0]["status"], "skipped");
  auto back = SnapshotFromJson(j);
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  EXPECT_EQ(back->collected_at, s.collected_at);
  EXPECT_EQ(back->activity[0].xact_age_seconds, 1.5);
  EXPECT_FALSE(back->activity[0].backend_xmin_age.has_value());
  EXPECT_EQ(back->outcomes[0].status, model::CollectorStatus::kSkipped);
}

TEST(SnapshotJson, RoundTripsTierTimes) {
  model::Snapshot s;
  s.collected_at = common::TimestampFromEpochSeconds(1000);
  s.tier_times.fast = common::TimestampFromEpochSeconds(1000);
  s.tier_times.slow = common::Timestamp(std::chrono::microseconds(700'000'250));
  const nlohmann::json j = SnapshotToJson(s);
  EXPECT_EQ(j["tier_times"]["slow"], "1970-01-01T00:11:40.000250Z");
  EXPECT_TRUE(j["tier_times"]["standard"].is_null());
  auto back = SnapshotFromJson(j);
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  EXPECT_EQ(back->tier_times.fast, s.tier_times.fast);
  EXPECT_FALSE(back->tier_times.standard.has_value());
  EXPECT_EQ(back->tier_times.slow, s.tier_times.slow);
  std::ostringstream out;
  WriteSnapshotJson(s, out, -1);
  EXPECT_EQ(nlohmann::json::parse(out.str()), j);
}

TEST(SnapshotJson, ReadsADocumentWithoutTierTimesAsCollectedInOneGo) {
  nlohmann::json j = SnapshotToJson(model::Snapshot{});
  j["collected_at"] = "2025-11-22T07:03:36Z";
  j.erase("tier_times");
  auto back = SnapshotFromJson(j);
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  EXPECT_FALSE(back->tier_times.fast || back->tier_times.standard || back->tier_times.slow);
  EXPECT_EQ(model::CollectedAt(*back, model::kSlowTier), back->collected_at);
}

TEST(SnapshotJson, RejectsAMalformedDocumentWithAReason) {
  auto bad = SnapshotFromJson(nlohmann::json::parse(R"({"activity": "not a list"})"));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), common::StatusCode::kInvalidArgument);
}

TEST(ParseTimestamp, AcceptsWholeSecondsAndFractions) {
  EXPECT_EQ(ParseTimestamp("1970-01-01T00:00:01Z")->time_since_epoch().count(), 1'000'000);
  EXPECT_EQ(ParseTimestamp("1970-01-01T00:00:01.5Z")->time_since_epoch().count(), 1'500'000);
  EXPECT_FALSE(ParseTimestamp("yesterday").has_value());
}

}  // namespace
}  // namespace pgvigil::store

namespace pgvigil::store {
namespace {

model::Snapshot SampleSnapshot() {
  model::Snapshot s;
  s.target = "db";
  s.tiers = {"fast", "slow"};
  s.activity.resize(2);
  s.activity[1].query = "select \"x\"\n";
  s.tables.resize(1);
  s.tables[0].reloptions.autovacuum_enabled = false;
  s.checkpointer.emplace();
  s.outcomes.resize(1);
  return s;
}

TEST(WriteSnapshotJson, WritesTheSameDocumentAsSnapshotToJson) {
  const model::Snapshot s = SampleSnapshot();
  for (int indent : {-1, 2}) {
    std::ostringstream out;
    WriteSnapshotJson(s, out, indent);
    const nlohmann::json streamed = nlohmann::json::parse(out.str());
    EXPECT_EQ(streamed, SnapshotToJson(s)) << "indent " << indent;
    EXPECT_EQ(out.str(), SnapshotToJson(s).dump(indent)) << "indent " << indent;
  }
}

TEST(WriteSnapshotJson, ListsEveryMemberOfTheSnapshot) {
  // A member added to Snapshot but not to WriteSnapshotJson would be missing here.
  std::ostringstream out;
  WriteSnapshotJson(model::Snapshot{}, out, -1);
  const nlohmann::json streamed = nlohmann::json::parse(out.str());
  const nlohmann::json full = SnapshotToJson(model::Snapshot{});
  for (const auto& [key, value] : full.items()) EXPECT_TRUE(streamed.contains(key)) << key;
  EXPECT_EQ(streamed.size(), full.size());
}

}  // namespace
}  // namespace pgvigil::store
