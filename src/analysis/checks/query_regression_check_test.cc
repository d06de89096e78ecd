// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/query_regression_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

model::StatementStats Stmt(std::int64_t queryid, std::int64_t calls, double total_ms) {
  model::StatementStats s = testing::Statement(queryid, calls, total_ms);
  s.query = "select * from orders where id = $1";
  return s;
}

constexpr auto Sample = testing::StatementsSample;

// History: 200 calls of 20 ms over two intervals (h0 → h1 → h2); h2 is also the previous
// sample. The current interval adds `calls` calls taking `mean_ms` each.
struct Fixture {
  model::Snapshot h0 = Sample(1000, {Stmt(42, 1000, 20000)});
  model::Snapshot h1 = Sample(1060, {Stmt(42, 1100, 22000)});
  model::Snapshot h2 = Sample(1120, {Stmt(42, 1200, 24000)});
  std::vector<model::Finding> Run(int calls, double mean_ms, const Thresholds& t = {}) const {
    const model::Snapshot now = Sample(1180, {Stmt(42, 1200 + calls, 24000 + calls * mean_ms)});
    const History history{{&h0, &h1, &h2}};
    return testing::EvaluateCheck(QueryRegressionCheck(), now, &h2, t, history);
  }
};

TEST(QueryRegressionCheck, WarnsWhenTheMeanDoublesAgainstItsHistory) {
  const Fixture f;
  EXPECT_TRUE(f.Run(20, 39.8).empty());
  const auto findings = f.Run(20, 40);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "query.regression");
  EXPECT_EQ(findings[0].object, "queryid 42");
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_DOUBLE_EQ(*findings[0].value, 2.0);
  EXPECT_EQ(findings[0].unit, "ratio");
  EXPECT_EQ(findings[0].message,
            "queryid 42 took 40 ms on average over the last 60 s, 2.0× its usual 20 ms: select * "
            "from orders where id = $1");
  EXPECT_EQ(findings[0].evidence[1],
            "history: 200 calls, 20 ms per call, over 2 min of earlier samples");
}

// The daemon loads at most K statement samples spread over the whole history window
// (store::HistoryStore::LoadHistory), so the baseline is the window's mean, not the last
// hours'. Cumulative counters telescope: leaving samples out between kept ones changes
// nothing when each pair stays comparable.
TEST(QueryRegressionCheck, ABaselineFromSamplesSpreadOverTheWindowEqualsOneFromEverySample) {
  std::vector<model::Snapshot> every;
  for (int i = 0; i <= 6; ++i) {
    // Slower early on (30 ms), then 20 ms: the baseline is the mean over the whole span.
    const double ms = i <= 3 ? 30 * 100.0 * i : 30 * 300.0 + 20 * 100.0 * (i - 3);
    every.push_back(Sample(1000 + 60.0 * i, {Stmt(42, 1000 + 100 * i, 20000 + ms)}));
  }
  const model::Snapshot now = Sample(1420, {Stmt(42, 1600 + 20, 20000 + 15000 + 20 * 80.0)});
  History all;
  for (const model::Snapshot& s : every) all.snapshots.push_back(&s);
  const History spread{{&every[0], &every[3], &every[6]}};
  Thresholds t;
  const auto from_all = testing::EvaluateCheck(QueryRegressionCheck(), now, &every[6], t, all);
  const auto from_spread =
      testing::EvaluateCheck(QueryRegressionCheck(), now, &every[6], t, spread);
  ASSERT_EQ(from_all.size(), 1u);
  ASSERT_EQ(from_spread.size(), 1u);
  EXPECT_DOUBLE_EQ(*from_spread[0].value, *from_all[0].value);
  EXPECT_DOUBLE_EQ(*from_all[0].value, 80.0 / 25.0);  // 600 calls, 15 s: 25 ms a call
  EXPECT_EQ(from_spread[0].evidence[1], from_all[0].evidence[1]);
  EXPECT_EQ(from_all[0].evidence[1],
            "history: 600 calls, 25 ms per call, over 6 min of earlier samples");
}

TEST(QueryRegressionCheck, IsCriticalFromFiveTimesItsHistory) {
  const Fixture f;
  EXPECT_EQ(f.Run(20, 99)[0].severity, model::Severity::kWarning);
  EXPECT_EQ(f.Run(20, 100)[0].severity, model::Severity::kCritical);
}

TEST(QueryRegressionCheck, SaysNothingWithoutHistory) {
  const Fixture f;
  const model::Snapshot now = Sample(1180, {Stmt(42, 1220, 24000 + 20 * 200)});
  EXPECT_TRUE(testing::EvaluateCheck(QueryRegressionCheck(), now, &f.h2).empty());
  const History only_previous{{&f.h2}};
  EXPECT_TRUE(
      testing::EvaluateCheck(QueryRegressionCheck(), now, &f.h2, {}, only_previous).empty());
}

TEST(QueryRegressionCheck, NeedsTwentyCallsInTheInterval) {
  const Fixture f;
  EXPECT_TRUE(f.Run(19, 200).empty());
  EXPECT_EQ(f.Run(20, 200).size(), 1u);
}

TEST(QueryRegressionCheck, NeedsAHistoryOfAHundredCalls) {
  Fixture f;
  f.h1 = Sample(1060, {Stmt(42, 1050, 21000)});
  f.h2 = Sample(1120, {Stmt(42, 1099, 21980)});  // 99 calls of 20 ms in the history
  const model::Snapshot now = Sample(1180, {Stmt(42, 1099 + 20, 21980 + 20 * 200)});
  const History history{{&f.h0, &f.h1, &f.h2}};
  EXPECT_TRUE(testing::EvaluateCheck(QueryRegressionCheck(), now, &f.h2, {}, history).empty());
}

TEST(QueryRegressionCheck, IgnoresStatementsThatStayFast) {
  Fixture f;
  f.h0 = Sample(1000, {Stmt(42, 1000, 1000)});
  f.h1 = Sample(1060, {Stmt(42, 1100, 1100)});
  f.h2 = Sample(1120, {Stmt(42, 1200, 1200)});                                // 1 ms
  const model::Snapshot now = Sample(1180, {Stmt(42, 1220, 1200 + 20 * 9)});  // 9 ms: 9×
  const History history{{&f.h0, &f.h1, &f.h2}};
  EXPECT_TRUE(testing::EvaluateCheck(QueryRegressionCheck(), now, &f.h2, {}, history).empty());
}

TEST(QueryRegressionCheck, StepsOverAResetInTheHistory) {
  Fixture f;
  // h1 → h2 went backwards (a reset): only h0 → h1 (100 calls of 20 ms) is the baseline.
  f.h2 = Sample(1120, {Stmt(42, 10, 200)});
  const model::Snapshot now = Sample(1180, {Stmt(42, 30, 200 + 20 * 60)});
  const History history{{&f.h0, &f.h1, &f.h2}};
  const auto findings = testing::EvaluateCheck(QueryRegressionCheck(), now, &f.h2, {}, history);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_DOUBLE_EQ(*findings[0].value, 3.0);
  EXPECT_EQ(findings[0].evidence[1],
            "history: 100 calls, 20 ms per call, over 60 s of earlier samples");
}

TEST(QueryRegressionCheck, APerStatementOverrideRaisesTheLevel) {
  const Fixture f;
  const Thresholds t({{"query.regression", "*", "queryid 42", {4.0, 10.0}}});
  EXPECT_TRUE(f.Run(20, 60, t).empty());
  EXPECT_EQ(f.Run(20, 60).size(), 1u);
}

}  // namespace
}  // namespace pgvigil::analysis
