// SPDX-License-Identifier: Apache-2.0
#include "daemon/tier_samples.h"

#include <gtest/gtest.h>

#include "daemon/state_cache.h"

namespace pgvigil::daemon {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<const model::Snapshot> Sample(std::vector<std::string> tiers, int second,
                                              std::int64_t commits) {
  auto s = std::make_shared<model::Snapshot>();
  s->target = "t";
  s->collected_at = common::Timestamp(std::chrono::seconds(1'800'000'000 + second));
  s->tiers = tiers;
  for (const std::string& tier : tiers) {
    model::CollectorOutcome o;
    o.collector = tier == "fast"       ? "stat_activity"
                  : tier == "standard" ? "stat_database"
                                       : "stat_user_tables";
    o.tier = tier;
    s->outcomes.push_back(o);
    if (tier == "fast") {
      model::Backend b;
      b.pid = 100 + second;
      s->activity.push_back(b);
    }
    if (tier == "standard") {
      model::DatabaseStats d;
      d.datname = "app";
      d.xact_commit = commits;
      s->databases.push_back(d);
    }
    if (tier == "slow") {
      model::TableStats t;
      t.relname = "orders";
      t.seq_scan = second;
      s->tables.push_back(t);
    }
  }
  return s;
}

// Before a slow collection the previous slow sample is let go, so that it is not held next to
// the latest one and the one being collected; the rates after it are still over one interval.
TEST(TierSamples, ForgettingAPreviousSampleFreesItAndTheNextSampleTakesItsPlace) {
  TierSamples samples;
  auto first = Sample({"fast", "standard", "slow"}, 0, 100);
  const std::weak_ptr<const model::Snapshot> first_held = first;
  samples.Add(std::move(first));
  samples.Add(Sample({"fast", "standard", "slow"}, 300, 400));
  ASSERT_NE(samples.ComposePrevious(), nullptr);
  EXPECT_EQ(samples.ComposePrevious()->tables[0].seq_scan, 0);

  for (const char* tier : {"fast", "standard", "slow"}) samples.ForgetPrevious(tier);
  EXPECT_TRUE(first_held.expired());
  EXPECT_EQ(samples.ComposePrevious(), nullptr);
  ASSERT_NE(samples.ComposeCurrent(), nullptr);  // the latest stays
  EXPECT_EQ(samples.ComposeCurrent()->tables[0].seq_scan, 300);

  samples.Add(Sample({"fast", "standard", "slow"}, 600, 700));
  const auto previous = samples.ComposePrevious();
  ASSERT_NE(previous, nullptr);
  EXPECT_EQ(previous->tables[0].seq_scan, 300);
  EXPECT_EQ(previous->databases[0].xact_commit, 400);
  EXPECT_EQ(samples.ComposeCurrent()->tables[0].seq_scan, 600);
}

// A fast-only tick must not copy the standard and slow parts (thousands of statements and
// indexes on a large server): the composition shares them with the samples they came from.
TEST(TierSamples, ComposedSnapshotsShareTheUnchangedTiersWithTheirSamples) {
  TierSamples samples;
  const auto full = Sample({"fast", "standard", "slow"}, 0, 100);
  samples.Add(full);
  const auto first = samples.ComposeCurrent();
  samples.Add(Sample({"fast"}, 1, 0));
  const auto second = samples.ComposeCurrent();
  EXPECT_TRUE(second->databases.SharesWith(full->databases));
  EXPECT_TRUE(second->tables.SharesWith(full->tables));
  EXPECT_TRUE(second->tables.SharesWith(first->tables));
  EXPECT_EQ(second->activity[0].pid, 101);
  EXPECT_EQ(first->activity[0].pid, 100);

  // Sharing is invisible: changing one copy leaves the others as they were (copy on write).
  model::Snapshot changed = *second;
  changed.tables[0].seq_scan = 99;
  changed.databases.push_back(model::DatabaseStats{});
  EXPECT_FALSE(changed.tables.SharesWith(full->tables));
  EXPECT_EQ(changed.tables[0].seq_scan, 99);
  EXPECT_EQ(full->tables[0].seq_scan, 0);
  EXPECT_EQ(second->tables[0].seq_scan, 0);
  EXPECT_EQ(changed.databases.size(), 2u);
  EXPECT_EQ(full->databases.size(), 1u);
  // A new standard sample replaces the standard parts only.
  samples.Add(Sample({"fast", "standard"}, 15, 400));
  const auto third = samples.ComposeCurrent();
  EXPECT_FALSE(third->databases.SharesWith(full->databases));
  EXPECT_EQ(third->databases[0].xact_commit, 400);
  EXPECT_TRUE(third->tables.SharesWith(full->tables));
}

TEST(SharedVector, BehavesAsAVectorWithValueSemantics) {
  model::SharedVector<int> a = std::vector<int>{1, 2, 3};
  model::SharedVector<int> b = a;
  EXPECT_TRUE(b.SharesWith(a));
  EXPECT_EQ(b, a);
  b.erase(b.begin());
  b.insert(b.end(), 7);
  EXPECT_EQ(a, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(b, (std::vector<int>{2, 3, 7}));
  const std::vector<int>& view = a;
  EXPECT_EQ(view.size(), 3u);
  model::SharedVector<int> empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(std::distance(empty.begin(), empty.end()), 0);
  b.clear();
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(a.size(), 3u);
}

TEST(TierSamples, ComposesEachTierFromItsOwnLatestSample) {
  TierSamples samples;
  samples.Add(Sample({"fast", "standard", "slow"}, 0, 100));
  samples.Add(Sample({"fast"}, 1, 0));
  samples.Add(Sample({"fast"}, 2, 0));
  samples.Add(Sample({"fast", "standard"}, 15, 400));

  const auto current = samples.ComposeCurrent();
  ASSERT_NE(current, nullptr);
  ASSERT_EQ(current->activity.size(), 1u);
  EXPECT_EQ(current->activity[0].pid, 115);
  ASSERT_EQ(current->databases.size(), 1u);
  EXPECT_EQ(current->databases[0].xact_commit, 400);
  ASSERT_EQ(current->tables.size(), 1u);
  EXPECT_EQ(current->tables[0].seq_scan, 0);  // the slow tier's only sample
  EXPECT_EQ(current->outcomes.size(), 3u);    // one per tier, no duplicates

  // The previous composition pairs each tier with its own previous sample: the standard
  // counters 15 s apart, the fast parts 13 s apart (the last two fast samples), no slow part.
  const auto previous = samples.ComposePrevious();
  ASSERT_NE(previous, nullptr);
  ASSERT_EQ(previous->databases.size(), 1u);
  EXPECT_EQ(previous->databases[0].xact_commit, 100);
  EXPECT_EQ(previous->activity[0].pid, 102);
  EXPECT_TRUE(previous->tables.empty());
  EXPECT_EQ(model::CollectedAt(*current, "standard") - model::CollectedAt(*previous, "standard"),
            std::chrono::seconds(15));
  EXPECT_EQ(model::CollectedAt(*current, "fast") - model::CollectedAt(*previous, "fast"),
            std::chrono::seconds(13));
}

TEST(TierSamples, ClearForgetsEverything) {
  TierSamples samples;
  samples.Add(Sample({"fast"}, 0, 0));
  samples.Clear();
  EXPECT_EQ(samples.ComposeCurrent(), nullptr);
  EXPECT_EQ(samples.Latest("fast"), nullptr);
}

TEST(StateCache, UpdatesPublishNewImmutableStatesAndKeepWhatAReloadKeeps) {
  StateCache cache;
  model::TargetState a;
  a.name = "a";
  model::TargetState b;
  b.name = "b";
  cache.Configure({a, b});
  const auto before = cache.Target("a");
  const auto after = cache.Update("a", [](model::TargetState& s) {
    s.reachability = model::Reachability::kUp;
    s.last_error = "";
  });
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(before->reachability, model::Reachability::kUnknown);  // the old copy is untouched
  EXPECT_EQ(after->sequence, before->sequence + 1);
  EXPECT_EQ(cache.Update("nobody", [](model::TargetState&) {}), nullptr);

  model::TargetState a2;
  a2.name = "a";
  a2.region = "eu";
  model::TargetState c;
  c.name = "c";
  cache.Configure({c, a2});
  const auto targets = cache.Targets();
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0]->name, "c");
  EXPECT_EQ(targets[1]->region, "eu");
  EXPECT_EQ(targets[1]->reachability, model::Reachability::kUp);  // kept across the reload
  EXPECT_EQ(cache.Target("b"), nullptr);
}

}  // namespace
}  // namespace pgvigil::daemon
