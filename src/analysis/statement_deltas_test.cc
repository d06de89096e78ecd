// SPDX-License-Identifier: Apache-2.0
#include "analysis/statement_deltas.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

using testing::Statement;
using testing::StatementsSample;

TEST(StatementDeltas, CountsWhatEachStatementDidInTheInterval) {
  const model::Snapshot before = StatementsSample(0, {Statement(1, 10, 50)});
  const model::Snapshot now = StatementsSample(60, {Statement(1, 25, 80), Statement(2, 4, 8)});
  const StatementDeltas d = ComputeStatementDeltas(now, before);
  ASSERT_TRUE(d.comparable) << d.why_not;
  EXPECT_DOUBLE_EQ(d.interval_seconds, 60);
  ASSERT_EQ(d.deltas.size(), 2u);
  for (const StatementDelta& e : d.deltas) {
    if (e.now->queryid == 1) {
      EXPECT_FALSE(e.from_zero);
      EXPECT_DOUBLE_EQ(e.calls, 15);
      EXPECT_DOUBLE_EQ(e.total_exec_time, 30);
    } else {
      EXPECT_TRUE(e.from_zero);  // new in the interval
      EXPECT_DOUBLE_EQ(e.calls, 4);
    }
  }
}

// The checks of one analysis share one computation of the interval's deltas.
TEST(IntervalStatementDeltas, IsComputedOncePerInputAndMatchesTheDirectComputation) {
  const model::Snapshot before = StatementsSample(0, {Statement(1, 10, 50)});
  const model::Snapshot now = StatementsSample(15, {Statement(1, 12, 58)});
  const History history;
  const Thresholds thresholds;
  const CheckInput input{now, &before, history, thresholds};
  const StatementDeltas& first = IntervalStatementDeltas(input);
  const StatementDeltas& second = IntervalStatementDeltas(input);
  EXPECT_EQ(&first, &second);
  const StatementDeltas direct = ComputeStatementDeltas(now, before);
  ASSERT_EQ(first.deltas.size(), direct.deltas.size());
  EXPECT_EQ(first.comparable, direct.comparable);
  EXPECT_DOUBLE_EQ(first.deltas[0].calls, 2);
  EXPECT_DOUBLE_EQ(first.deltas[0].total_exec_time, direct.deltas[0].total_exec_time);
  // Another input (another analysis) computes its own.
  const CheckInput other{now, &before, history, thresholds};
  EXPECT_NE(&IntervalStatementDeltas(other), &first);
}

}  // namespace
}  // namespace pgvigil::analysis
