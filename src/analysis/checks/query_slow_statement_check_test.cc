// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/query_slow_statement_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

using common::TimestampFromEpochSeconds;

model::StatementStats Stmt(std::int64_t queryid, std::int64_t calls, double total_ms,
                           std::uint32_t userid = 10) {
  model::StatementStats s = testing::Statement(queryid, calls, total_ms);
  s.userid = userid;
  s.shared_blks_hit = calls * 90;
  s.shared_blks_read = calls * 10;
  s.query = "select * from orders where customer_id = $1";
  return s;
}

model::Snapshot Sample(double at, std::vector<model::StatementStats> statements,
                       std::int64_t dealloc = 0, double stats_reset = 100) {
  model::Snapshot s;
  s.target = "db1";
  s.collected_at = TimestampFromEpochSeconds(at);
  s.outcomes = {testing::OkOutcome("stat_statements")};
  s.statements = std::move(statements);
  s.statements_info = model::StatementsInfo{dealloc, TimestampFromEpochSeconds(stats_reset)};
  return s;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& now, const model::Snapshot* before,
                                     const Thresholds& t = {}) {
  return testing::EvaluateCheck(QuerySlowStatementCheck(), now, before, t);
}

TEST(QuerySlowStatementCheck, JudgesTheMeanOverTheIntervalNotSinceTheReset) {
  // 1000 calls of 1 ms before; 10 calls of 600 ms in the last minute. Since the reset the
  // mean is 6.9 ms, which would hide it.
  const model::Snapshot before = Sample(1000, {Stmt(42, 1000, 1000)});
  const model::Snapshot now = Sample(1060, {Stmt(42, 1010, 7000)});
  const auto findings = Evaluate(now, &before);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "query.slow_statement");
  EXPECT_EQ(findings[0].object, "queryid 42");
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_DOUBLE_EQ(*findings[0].value, 0.6);
  EXPECT_EQ(findings[0].unit, "seconds");
  EXPECT_EQ(findings[0].message,
            "queryid 42 took 600 ms on average over 10 calls in the last 60 s: select * from "
            "orders where customer_id = $1");
  EXPECT_EQ(findings[0].evidence[0], "10 calls, 6.0 s in total, 600 ms per call, over 60 s");
  EXPECT_EQ(findings[0].evidence[1], "1.0 rows per call");
  EXPECT_EQ(findings[0].evidence[2], "shared blocks per call: 10 read, 90 hit (90 % hit)");
}

TEST(QuerySlowStatementCheck, WarnsFromHalfASecondAndIsCriticalFromFive) {
  const model::Snapshot before = Sample(1000, {Stmt(42, 100, 100)});
  EXPECT_TRUE(Evaluate(Sample(1060, {Stmt(42, 110, 100 + 10 * 499)}), &before).empty());
  EXPECT_EQ(Evaluate(Sample(1060, {Stmt(42, 110, 100 + 10 * 500)}), &before)[0].severity,
            model::Severity::kWarning);
  EXPECT_EQ(Evaluate(Sample(1060, {Stmt(42, 110, 100 + 10 * 4999)}), &before)[0].severity,
            model::Severity::kWarning);
  const auto critical = Evaluate(Sample(1060, {Stmt(42, 110, 100 + 10 * 5000)}), &before);
  EXPECT_EQ(critical[0].severity, model::Severity::kCritical);
  EXPECT_EQ(*critical[0].threshold, 5.0);
}

TEST(QuerySlowStatementCheck, NeedsFiveCallsInTheInterval) {
  const model::Snapshot before = Sample(1000, {Stmt(42, 100, 100)});
  EXPECT_TRUE(Evaluate(Sample(1060, {Stmt(42, 104, 100 + 4 * 2000)}), &before).empty());
  EXPECT_EQ(Evaluate(Sample(1060, {Stmt(42, 105, 100 + 5 * 2000)}), &before).size(), 1u);
}

TEST(QuerySlowStatementCheck, SaysNothingWithoutAPreviousSampleOrAfterARestart) {
  const model::Snapshot now = Sample(1060, {Stmt(42, 110, 100000)});
  EXPECT_TRUE(Evaluate(now, nullptr).empty());
  model::Snapshot restarted = Sample(1000, {Stmt(42, 100, 100)});
  restarted.server.postmaster_start_time = TimestampFromEpochSeconds(50);
  EXPECT_TRUE(Evaluate(now, &restarted).empty());
}

TEST(QuerySlowStatementCheck, SaysNothingWhenEitherSampleLacksStatements) {
  model::Snapshot before = Sample(1000, {Stmt(42, 100, 100)});
  before.outcomes[0].status = model::CollectorStatus::kSkipped;
  EXPECT_TRUE(Evaluate(Sample(1060, {Stmt(42, 110, 100000)}), &before).empty());
  before.outcomes.clear();
  EXPECT_TRUE(Evaluate(Sample(1060, {Stmt(42, 110, 100000)}), &before).empty());
}

TEST(QuerySlowStatementCheck, CountsFromZeroAfterAStatisticsReset) {
  // pg_stat_statements_reset() between the samples: every entry started again inside the
  // interval, so its counters are the interval's.
  const model::Snapshot before = Sample(1000, {Stmt(42, 1000, 1000)});
  const auto findings = Evaluate(Sample(1060, {Stmt(42, 10, 6000)}, 0, 1030), &before);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_DOUBLE_EQ(*findings[0].value, 0.6);
}

TEST(QuerySlowStatementCheck, NeverSubtractsACounterThatWentBackwards) {
  // Without pg_stat_statements_info (1.8) a reset shows only as counters going backwards.
  model::Snapshot before = Sample(1000, {Stmt(42, 1000, 100000)});
  model::Snapshot now = Sample(1060, {Stmt(42, 10, 6000)});
  before.statements_info.reset();
  now.statements_info.reset();
  const auto findings = Evaluate(now, &before);
  ASSERT_EQ(findings.size(), 1u);  // no verdict on 42, only a note that it could not judge
  EXPECT_EQ(findings[0].severity, model::Severity::kInfo);
  EXPECT_TRUE(findings[0].insufficient_data);
  EXPECT_EQ(findings[0].message,
            "1 statement could not be judged this interval: their counters went backwards (a "
            "reset of pg_stat_statements)");
}

TEST(QuerySlowStatementCheck, CountsAStatementNewSinceThePreviousSampleFromZero) {
  const model::Snapshot before = Sample(1000, {Stmt(42, 100, 100)});
  const auto findings = Evaluate(Sample(1060, {Stmt(42, 110, 110), Stmt(43, 6, 6000)}), &before);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].object, "queryid 43");
  EXPECT_DOUBLE_EQ(*findings[0].value, 1.0);
}

TEST(QuerySlowStatementCheck, DoesNotTakeAStatementThatWasOnlyHiddenBeforeForANewOne) {
  model::Snapshot before = Sample(1000, {Stmt(42, 100, 100)});
  model::Snapshot now = Sample(1060, {Stmt(42, 110, 110), Stmt(43, 6000, 6000000)});
  now.server.has_read_all_stats = true;  // granted in between: 43 was there, unseen
  EXPECT_TRUE(Evaluate(now, &before).empty());
}

TEST(QuerySlowStatementCheck, LeavesOutEntriesThatMayHaveBeenEvictedAndSaysSo) {
  // dealloc moved and no stats_since: 42 may have been evicted and re-created in between, so
  // its delta could mix two lives. 43 was absent before: it is new, counted from zero.
  const model::Snapshot before = Sample(1000, {Stmt(42, 100, 100)}, 3);
  const auto findings =
      Evaluate(Sample(1060, {Stmt(42, 110, 100000), Stmt(43, 6, 6000)}, 5), &before);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].object, "server");
  EXPECT_EQ(findings[0].severity, model::Severity::kInfo);
  EXPECT_TRUE(findings[0].insufficient_data);
  EXPECT_NE(findings[0].message.find("evicted 2 entries"), std::string::npos);
  EXPECT_EQ(findings[1].object, "queryid 43");
}

TEST(QuerySlowStatementCheck, AMovedStatsSinceMeansTheEntryStartedInTheInterval) {
  model::StatementStats old_entry = Stmt(42, 1000, 1000);
  old_entry.stats_since = TimestampFromEpochSeconds(500);
  model::StatementStats new_entry = Stmt(42, 10, 6000);
  new_entry.stats_since = TimestampFromEpochSeconds(1030);
  const model::Snapshot before = Sample(1000, {old_entry}, 3);
  const auto findings = Evaluate(Sample(1060, {new_entry}, 4), &before);
  ASSERT_EQ(findings.size(), 1u);  // judged despite the eviction: stats_since tells
  EXPECT_DOUBLE_EQ(*findings[0].value, 0.6);
}

TEST(QuerySlowStatementCheck, SumsTheEntriesOfOneQueryidAcrossRoles) {
  const model::Snapshot before = Sample(1000, {Stmt(42, 100, 100, 10), Stmt(42, 100, 100, 11)});
  const auto findings =
      Evaluate(Sample(1060, {Stmt(42, 103, 100 + 3 * 1000, 10), Stmt(42, 103, 100 + 3 * 1000, 11)}),
               &before);
  ASSERT_EQ(findings.size(), 1u);  // 3 + 3 calls: enough together
  EXPECT_DOUBLE_EQ(*findings[0].value, 1.0);
}

TEST(QuerySlowStatementCheck, APerStatementOverrideRaisesTheLevel) {
  const Thresholds t({{"query.slow_statement", "*", "queryid 42", {10, 60}}});
  const model::Snapshot before = Sample(1000, {Stmt(42, 100, 100), Stmt(43, 100, 100)});
  const auto findings = Evaluate(
      Sample(1060, {Stmt(42, 110, 100 + 10 * 2000), Stmt(43, 110, 100 + 10 * 2000)}), &before, t);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].object, "queryid 43");
}

TEST(QuerySlowStatementCheck, CutsALongStatementToOneShortLine) {
  model::StatementStats s = Stmt(42, 110, 100 + 10 * 1000);
  s.query = "select\n\t" + std::string(300, 'x') + " from t";
  const model::Snapshot before = Sample(1000, {Stmt(42, 100, 100)});
  const auto findings = Evaluate(Sample(1060, {s}), &before);
  ASSERT_EQ(findings.size(), 1u);
  const std::string& m = findings[0].message;
  EXPECT_EQ(m.find('\n'), std::string::npos);
  EXPECT_NE(m.find(": select xxx"), std::string::npos);
  EXPECT_EQ(m.substr(m.size() - 3), "…");
  EXPECT_LT(m.size(), 220u);
}

TEST(QuerySlowStatementCheck, AComposedSnapshotIsJudgedOverTheStandardTiersInterval) {
  // Fast parts 1 s apart, pg_stat_statements (standard tier) 15 s apart.
  model::Snapshot before = Sample(1000, {Stmt(42, 1000, 1000)});
  before.tier_times.fast = TimestampFromEpochSeconds(1000);
  before.tier_times.standard = TimestampFromEpochSeconds(985);
  model::Snapshot now = Sample(1001, {Stmt(42, 1010, 7000)});
  now.tier_times.fast = TimestampFromEpochSeconds(1001);
  now.tier_times.standard = TimestampFromEpochSeconds(1000);
  const auto findings = Evaluate(now, &before);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_DOUBLE_EQ(*findings[0].value, 0.6);
  EXPECT_EQ(findings[0].message,
            "queryid 42 took 600 ms on average over 10 calls in the last 15 s: select * from "
            "orders where customer_id = $1");
  EXPECT_EQ(findings[0].evidence[0], "10 calls, 6.0 s in total, 600 ms per call, over 15 s");
}

}  // namespace
}  // namespace pgvigil::analysis
