// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/index_unused_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

using std::chrono::hours;
constexpr std::int64_t kMiB = 1024 * 1024;

common::Timestamp Day(int day) { return common::Timestamp{} + hours(24 * (20000 + day)); }

model::IndexStats Index(std::string name, std::int64_t bytes, std::int64_t scans = 0) {
  model::IndexStats i;
  i.datname = "app";
  i.schemaname = "public";
  i.relname = "orders";
  i.indexrelname = std::move(name);
  i.access_method = "btree";
  i.estimated_size_bytes = bytes;
  i.relpages = bytes / 8192;
  i.idx_scan = scans;
  return i;
}

// A sample taken on `day` holding `indexes`, with the database's statistics reset on day -100.
model::Snapshot Sample(int day, std::vector<model::IndexStats> indexes) {
  model::Snapshot s;
  s.target = "db1";
  s.collected_at = Day(day);
  s.server.postmaster_start_time = Day(-200);
  s.outcomes = {testing::OkOutcome("stat_user_indexes"), testing::OkOutcome("stat_database")};
  s.indexes = std::move(indexes);
  model::DatabaseStats d;
  d.datname = "app";
  d.stats_reset = Day(-100);
  s.databases = {d};
  return s;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& now,
                                     const std::vector<const model::Snapshot*>& history = {},
                                     const Thresholds& thresholds = {}) {
  History h;
  h.snapshots = history;
  return testing::EvaluateCheck(IndexUnusedCheck(), now, nullptr, thresholds, h);
}

TEST(IndexUnusedCheck, WithoutHistoryANeverScannedIndexIsALeadThatSaysSinceWhenStatsCount) {
  const model::Snapshot now = Sample(0, {Index("orders_note_idx", 200 * kMiB)});
  const auto findings = Evaluate(now);
  ASSERT_EQ(findings.size(), 1u);
  const model::Finding& f = findings[0];
  EXPECT_EQ(f.id, "index.unused");
  EXPECT_EQ(f.object, "app.public.orders_note_idx");
  EXPECT_EQ(f.severity, model::Severity::kInfo);
  EXPECT_TRUE(f.insufficient_data);
  EXPECT_NE(f.message.find("not judged yet"), std::string::npos) << f.message;
  bool names_reset = false;
  for (const std::string& e : f.evidence) {
    names_reset = names_reset || e.find("since their reset on") != std::string::npos;
  }
  EXPECT_TRUE(names_reset);
  ASSERT_TRUE(f.recommendation.has_value());
  EXPECT_EQ(f.recommendation->sql, "DROP INDEX CONCURRENTLY \"public\".\"orders_note_idx\";");
  EXPECT_NE(f.recommendation->why.find("standbys"), std::string::npos);
}

TEST(IndexUnusedCheck, SaysWhenStatisticsWereNeverReset) {
  model::Snapshot now = Sample(0, {Index("i", 2 * kMiB)});
  now.databases[0].stats_reset.reset();
  const auto findings = Evaluate(now);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("since statistics began"), std::string::npos);
}

TEST(IndexUnusedCheck, UnusedInEveryRecentSampleForSevenDaysWarnsFrom100MiB) {
  const model::Snapshot old =
      Sample(-7, {Index("big", 100 * kMiB), Index("small", 100 * kMiB - 1)});
  const model::Snapshot mid =
      Sample(-3, {Index("big", 100 * kMiB), Index("small", 100 * kMiB - 1)});
  const model::Snapshot now = Sample(0, {Index("big", 100 * kMiB), Index("small", 100 * kMiB - 1)});
  const auto findings = Evaluate(now, {&old, &mid});
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].object, "app.public.big");
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_FALSE(findings[0].insufficient_data);
  EXPECT_EQ(*findings[0].threshold, 100 * kMiB);
  EXPECT_NE(findings[0].message.find("7.0 days"), std::string::npos) << findings[0].message;
  EXPECT_EQ(findings[1].object, "app.public.small");
  EXPECT_EQ(findings[1].severity, model::Severity::kInfo);
  EXPECT_FALSE(findings[1].insufficient_data);
}

TEST(IndexUnusedCheck, SixDaysOfHistoryAreNotEnough) {
  model::Snapshot old = Sample(-6, {Index("i", 500 * kMiB)});
  const model::Snapshot now = Sample(0, {Index("i", 500 * kMiB)});
  auto findings = Evaluate(now, {&old});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(findings[0].insufficient_data);
  EXPECT_EQ(findings[0].severity, model::Severity::kInfo);
  EXPECT_NE(findings[0].message.find("6.0 days"), std::string::npos) << findings[0].message;
}

TEST(IndexUnusedCheck, IgnoresIndexesBelowMinBytes) {
  const model::Snapshot now = Sample(0, {Index("tiny", 1 * kMiB - 1), Index("just", 1 * kMiB)});
  const auto findings = Evaluate(now);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].object, "app.public.just");
}

TEST(IndexUnusedCheck, AScanInAnEarlierSampleFollowedByAResetProvesNothingBeforeTheReset) {
  const model::Snapshot old = Sample(-10, {Index("i", 500 * kMiB, /*scans=*/42)});
  model::Snapshot now = Sample(0, {Index("i", 500 * kMiB)});
  now.databases[0].stats_reset = Day(-1);  // pg_stat_reset() a day ago
  const auto findings = Evaluate(now, {&old});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(findings[0].insufficient_data);
}

TEST(IndexUnusedCheck, AResetBetweenTwoZeroSamplesStartsTheCountAtTheReset) {
  const model::Snapshot old = Sample(-10, {Index("i", 500 * kMiB)});
  model::Snapshot now = Sample(0, {Index("i", 500 * kMiB)});
  now.databases[0].stats_reset = Day(-2);  // scans between day -10 and -2 may have been erased
  auto findings = Evaluate(now, {&old});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(findings[0].insufficient_data);
  now.databases[0].stats_reset = Day(-8);
  findings = Evaluate(now, {&old});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_FALSE(findings[0].insufficient_data);
}

TEST(IndexUnusedCheck, ARestartEndsTheEvidenceOfHistory) {
  model::Snapshot old = Sample(-10, {Index("i", 500 * kMiB)});
  old.server.postmaster_start_time = Day(-300);
  const model::Snapshot now = Sample(0, {Index("i", 500 * kMiB)});
  const auto findings = Evaluate(now, {&old});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(findings[0].insufficient_data);
}

TEST(IndexUnusedCheck, AnIndexAbsentFromAnEarlierSampleIsOnlyAsOldAsItsFirstSample) {
  const model::Snapshot old = Sample(-10, {});
  const model::Snapshot mid = Sample(-2, {Index("i", 500 * kMiB)});
  const model::Snapshot now = Sample(0, {Index("i", 500 * kMiB)});
  const auto findings = Evaluate(now, {&old, &mid});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(findings[0].insufficient_data);
}

// The daemon's history holds, per earlier sample, only the indexes that had no scan and only
// their identity (store::HistoryStore::LoadHistory): an index missing from such a sample must
// end the evidence exactly as a scanned one does, so the findings are those of full samples.
TEST(IndexUnusedCheck, HistoryOfOnlyTheUnscannedIndexesJudgesAsFullSamplesDo) {
  const auto slim = [](const model::Snapshot& full) {
    model::Snapshot s = full;
    std::vector<model::IndexStats> kept;
    for (const model::IndexStats& i : full.indexes) {
      if (i.idx_scan != 0) continue;
      model::IndexStats id;
      id.datname = i.datname;
      id.schemaname = i.schemaname;
      id.relname = i.relname;
      id.indexrelname = i.indexrelname;
      kept.push_back(id);
    }
    s.indexes = std::move(kept);
    return s;
  };
  // "always": never scanned; "young": created after day -5; "was_used": scanned in the older
  // samples, zero in the newer ones (as after a reset of its counters).
  const model::Snapshot d10 =
      Sample(-10, {Index("always", 500 * kMiB), Index("was_used", 500 * kMiB, 9)});
  const model::Snapshot d5 =
      Sample(-5, {Index("always", 500 * kMiB), Index("was_used", 500 * kMiB, 12)});
  const model::Snapshot d2 = Sample(
      -2, {Index("always", 500 * kMiB), Index("young", 500 * kMiB), Index("was_used", 500 * kMiB)});
  model::Snapshot now = Sample(
      0, {Index("always", 500 * kMiB), Index("young", 500 * kMiB), Index("was_used", 500 * kMiB)});
  now.databases[0].stats_reset = Day(-12);
  const model::Snapshot s10 = slim(d10);
  const model::Snapshot s5 = slim(d5);
  const model::Snapshot s2 = slim(d2);
  const auto full = Evaluate(now, {&d10, &d5, &d2});
  const auto slimmed = Evaluate(now, {&s10, &s5, &s2});
  ASSERT_EQ(full.size(), 3u);
  ASSERT_EQ(slimmed.size(), full.size());
  for (size_t i = 0; i < full.size(); ++i) {
    EXPECT_EQ(slimmed[i].object, full[i].object);
    EXPECT_EQ(slimmed[i].severity, full[i].severity) << full[i].object;
    EXPECT_EQ(slimmed[i].insufficient_data, full[i].insufficient_data) << full[i].object;
    EXPECT_EQ(slimmed[i].message, full[i].message);
  }
  EXPECT_EQ(full[0].object, "app.public.always");
  EXPECT_FALSE(full[0].insufficient_data);  // 10 days
  EXPECT_EQ(full[1].object, "app.public.young");
  EXPECT_TRUE(full[1].insufficient_data);  // 2 days
  EXPECT_EQ(full[2].object, "app.public.was_used");
  EXPECT_TRUE(full[2].insufficient_data);  // 2 days
}

TEST(IndexUnusedCheck, NeverReportsIndexesThatEnforceSomethingOrAreInvalidOrScanned) {
  model::IndexStats unique = Index("u", 500 * kMiB);
  unique.indisunique = true;
  model::IndexStats pk = Index("pk", 500 * kMiB);
  pk.indisprimary = true;
  model::IndexStats exclusion = Index("x", 500 * kMiB);
  exclusion.constraint_type = "x";
  model::IndexStats invalid = Index("inv", 500 * kMiB);
  invalid.indisvalid = false;
  const model::Snapshot now =
      Sample(0, {unique, pk, exclusion, invalid, Index("scanned", 500 * kMiB, 1)});
  EXPECT_TRUE(Evaluate(now).empty());
}

TEST(IndexUnusedCheck, SaysNothingWithoutTheIndexPart) {
  model::Snapshot now = Sample(0, {Index("i", 500 * kMiB)});
  now.outcomes[0].status = model::CollectorStatus::kError;
  EXPECT_TRUE(Evaluate(now).empty());
}

TEST(IndexUnusedCheck, HonoursAPerObjectOverride) {
  const model::Snapshot old = Sample(-3, {Index("audit_idx", 500 * kMiB), Index("i", 500 * kMiB)});
  const model::Snapshot now = Sample(0, {Index("audit_idx", 500 * kMiB), Index("i", 500 * kMiB)});
  ThresholdOverride o;
  o.key = "index.unused.min_days";
  o.object_pattern = "app.public.audit_*";
  o.level.warning = 2;
  const auto findings = Evaluate(now, {&old}, Thresholds({o}));
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].object, "app.public.audit_idx");
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_TRUE(findings[1].insufficient_data);
}

TEST(IndexUnusedCheck, QuotesAHostileNameInTheRecommendation) {
  model::IndexStats i = Index("we\"ird", 500 * kMiB);
  i.schemaname = "Sales";
  const auto findings = Evaluate(Sample(0, {i}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].recommendation->sql, "DROP INDEX CONCURRENTLY \"Sales\".\"we\"\"ird\";");
}

TEST(IndexUnusedCheck, CountsTheDaysBetweenTheSlowTiersReads) {
  // pg_stat_user_indexes is read with the slow tier: in a composed snapshot its parts are as of
  // the slow read, not of collected_at (the fresher fast tier).
  using std::chrono::minutes;
  const model::Snapshot old = Sample(-7, {Index("i", 500 * kMiB)});
  model::Snapshot now = Sample(0, {Index("i", 500 * kMiB)});
  now.tier_times.fast = now.collected_at;
  now.tier_times.slow = now.collected_at - minutes(4);  // 6.997 days after `old`
  auto findings = Evaluate(now, {&old});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(findings[0].insufficient_data) << findings[0].message;

  // And a composed previous whose slow read is 7 days old proves it, however fresh its fast
  // parts are.
  model::Snapshot previous = Sample(-7, {Index("i", 500 * kMiB)});
  previous.collected_at = Day(-7) + minutes(10);
  previous.tier_times.fast = previous.collected_at;
  previous.tier_times.slow = Day(-7);
  now.tier_times.slow = Day(0);
  // The history holds the slow sample `now` was composed from: the same read, not a later one.
  const model::Snapshot own_read = Sample(0, {Index("i", 500 * kMiB)});
  History history;
  history.snapshots = {&own_read};
  findings = testing::EvaluateCheck(IndexUnusedCheck(), now, &previous, {}, history);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_FALSE(findings[0].insufficient_data) << findings[0].message;
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_NE(findings[0].message.find("7.0 days"), std::string::npos) << findings[0].message;
}

}  // namespace
}  // namespace pgvigil::analysis
