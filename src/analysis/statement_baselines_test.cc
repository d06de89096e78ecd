// SPDX-License-Identifier: Apache-2.0
#include "analysis/statement_baselines.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

constexpr auto Stmt = testing::Statement;
constexpr auto Sample = testing::StatementsSample;

struct Fixture {
  model::Snapshot h0 = Sample(1000, {Stmt(42, 1000, 20000), Stmt(7, 10, 100)});
  model::Snapshot h1 = Sample(1060, {Stmt(42, 1100, 22000), Stmt(7, 30, 300)});
  model::Snapshot h2 = Sample(1120, {Stmt(42, 1200, 24000), Stmt(7, 60, 600)});
};

TEST(SummariseStatementHistory, SumsTheDeltasOfConsecutiveSamplesUpToThePreviousOne) {
  const Fixture f;
  const History history{{&f.h0, &f.h1, &f.h2}};
  const auto all = SummariseStatementHistory(history, f.h2);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_DOUBLE_EQ(all->at(42).calls, 200);
  EXPECT_DOUBLE_EQ(all->at(42).total_exec_time, 4000);
  EXPECT_DOUBLE_EQ(all->at(42).seconds, 120);
  EXPECT_DOUBLE_EQ(all->at(7).calls, 50);
  // A previous sample older than h2 leaves h2's interval out.
  const auto to_h1 = SummariseStatementHistory(history, f.h1);
  EXPECT_DOUBLE_EQ(to_h1->at(42).calls, 100);
}

// The daemon keeps a memo per loaded history: the same samples give the very same result
// object (computed once), another cutoff computes again, and the result equals the unmemoised.
TEST(SummariseStatementHistory, AMemoComputesOncePerSetOfSamplesAndGivesTheSameSums) {
  const Fixture f;
  History memoised{{&f.h0, &f.h1, &f.h2}};
  memoised.memo = std::make_shared<HistoryMemo>();
  const History plain{{&f.h0, &f.h1, &f.h2}};

  const auto first = SummariseStatementHistory(memoised, f.h2);
  const auto again = SummariseStatementHistory(memoised, f.h2);
  EXPECT_EQ(first, again);  // the same object: not computed a second time
  EXPECT_NE(SummariseStatementHistory(plain, f.h2), SummariseStatementHistory(plain, f.h2));
  const auto direct = SummariseStatementHistory(plain, f.h2);
  ASSERT_EQ(first->size(), direct->size());
  for (const auto& [queryid, b] : *direct) {
    EXPECT_DOUBLE_EQ(first->at(queryid).calls, b.calls);
    EXPECT_DOUBLE_EQ(first->at(queryid).total_exec_time, b.total_exec_time);
    EXPECT_DOUBLE_EQ(first->at(queryid).seconds, b.seconds);
  }

  // Another set of samples (an earlier cutoff) is computed, not served from the memo.
  const auto to_h1 = SummariseStatementHistory(memoised, f.h1);
  EXPECT_NE(to_h1, first);
  EXPECT_DOUBLE_EQ(to_h1->at(42).calls, 100);
}

}  // namespace
}  // namespace pgvigil::analysis
