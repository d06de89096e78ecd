// SPDX-License-Identifier: Apache-2.0
#include "analysis/analyzer.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/health_report.h"
#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

model::Backend IdleInTransaction(int pid, double seconds) {
  model::Backend b;
  b.pid = pid;
  b.backend_type = "client backend";
  b.state = "idle in transaction";
  b.application_name = "billing";
  b.datname = "shop";
  b.xact_age_seconds = seconds;
  b.state_age_seconds = seconds;
  return b;
}

// A fast-tier problem (an old open transaction) and a slow-tier one (a sequence near its end).
model::Snapshot Server(std::vector<model::Backend> backends) {
  model::Snapshot s;
  s.target = "prod";
  s.outcomes = {testing::OkOutcome("stat_activity"), testing::OkOutcome("sequences")};
  s.activity = std::move(backends);
  model::SequenceStats q;
  q.datname = "shop";
  q.schemaname = "public";
  q.sequencename = "orders_id_seq";
  q.data_type = "integer";
  q.min_value = 1;
  q.max_value = 2147483647;
  q.increment_by = 1;
  q.last_value = 2100000000;
  s.sequences = {q};
  return s;
}

std::set<std::string> Ids(const model::HealthReport& r) {
  std::set<std::string> ids;
  for (const model::Finding& f : r.findings) ids.insert(f.id + " " + f.object);
  return ids;
}

// The findings in report order.
std::vector<std::string> Order(const model::HealthReport& r) {
  std::vector<std::string> order;
  for (const model::Finding& f : r.findings) {
    order.push_back(std::string(model::SeverityName(f.severity)) + " " + f.id + " " + f.object);
  }
  return order;
}

model::HealthReport Full(const model::Snapshot& s) {
  const History history;
  const Thresholds thresholds;
  return Analyze({s, nullptr, history, thresholds});
}

TEST(Reanalyze, OnlyTheFastChecksRunAndTheOtherFindingsAreKept) {
  const model::HealthReport before = Full(Server({IdleInTransaction(7, 3600)}));
  ASSERT_EQ(Ids(before), (std::set<std::string>{"connection.idle_in_transaction pid 7",
                                                "sequence.exhaustion shop.public.orders_id_seq"}));
  // A second later the transaction ended; the sequence part is the slow tier's old read.
  model::Snapshot now = Server({});
  now.sequences.clear();  // even if the slow part were missing, its finding stays until re-read
  const History history;
  const Thresholds thresholds;
  const model::HealthReport after =
      Reanalyze({now, nullptr, history, thresholds}, FastTierChecks(), before);
  EXPECT_EQ(Ids(after), (std::set<std::string>{"sequence.exhaustion shop.public.orders_id_seq"}));
  EXPECT_GT(after.score, before.score);  // re-scored
}

TEST(Reanalyze, GivesWhatAFullAnalysisGivesWhenOnlyTheFastPartsChanged) {
  const model::HealthReport first = Full(Server({}));
  const model::Snapshot later = Server({IdleInTransaction(9, 4000)});
  const History history;
  const Thresholds thresholds;
  const model::HealthReport fast =
      Reanalyze({later, nullptr, history, thresholds}, FastTierChecks(), first);
  const model::HealthReport full = Full(later);
  EXPECT_EQ(Ids(fast), Ids(full));
  EXPECT_EQ(fast.score, full.score);
  EXPECT_EQ(fast.status, full.status);
}

// Reanalyze merges the new fast findings into the kept, sorted ones: the order must be the one
// a full analysis sorts, with new findings on both sides of a kept one.
TEST(Reanalyze, KeepsTheReportOrderOfAFullAnalysis) {
  const model::HealthReport first = Full(Server({}));
  const model::Snapshot later =
      Server({IdleInTransaction(9, 4000), IdleInTransaction(3, 700), IdleInTransaction(5, 90000)});
  const History history;
  const Thresholds thresholds;
  const model::HealthReport fast =
      Reanalyze({later, nullptr, history, thresholds}, FastTierChecks(), first);
  const model::HealthReport full = Full(later);
  ASSERT_GE(full.findings.size(), 3u);
  EXPECT_EQ(Order(fast), Order(full));
  EXPECT_EQ(fast.score, full.score);
  EXPECT_EQ(fast.status, full.status);
}

// The kept findings are the previous report's own objects (shared, not copied: the daemon
// reanalyses every second), and the previous report is left as it was.
TEST(Reanalyze, SharesTheKeptFindingsWithThePreviousReport) {
  const model::HealthReport before = Full(Server({IdleInTransaction(7, 3600)}));
  const model::FindingList::Ptr kept = [&] {
    for (const model::FindingList::Ptr& f : before.findings.shared()) {
      if (f->id == "sequence.exhaustion") return f;
    }
    return model::FindingList::Ptr();
  }();
  ASSERT_NE(kept, nullptr);
  const History history;
  const Thresholds thresholds;
  const model::HealthReport after =
      Reanalyze({Server({IdleInTransaction(8, 4000)}), nullptr, history, thresholds},
                FastTierChecks(), before);
  bool shared = false;
  for (const model::FindingList::Ptr& f : after.findings.shared()) shared |= f == kept;
  EXPECT_TRUE(shared);
  EXPECT_EQ(Ids(before), (std::set<std::string>{"connection.idle_in_transaction pid 7",
                                                "sequence.exhaustion shop.public.orders_id_seq"}));
  EXPECT_EQ(Ids(after), (std::set<std::string>{"connection.idle_in_transaction pid 8",
                                               "sequence.exhaustion shop.public.orders_id_seq"}));
}

TEST(FastTierChecks, AreBuiltinChecks) {
  const auto all = BuiltinChecks();
  for (const Check* c : FastTierChecks()) {
    EXPECT_NE(std::find(all.begin(), all.end(), c), all.end());
  }
  EXPECT_LT(FastTierChecks().size(), all.size());
}

}  // namespace
}  // namespace pgvigil::analysis
