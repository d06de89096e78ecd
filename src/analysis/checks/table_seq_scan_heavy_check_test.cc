// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/table_seq_scan_heavy_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

using std::chrono::seconds;

model::TableStats Table(std::string name, std::int64_t rows, std::int64_t seq,
                        std::optional<std::int64_t> idx) {
  model::TableStats t;
  t.datname = "app";
  t.relid = 16400;
  t.schemaname = "public";
  t.relname = std::move(name);
  t.relkind = "r";
  t.n_live_tup = rows;
  t.seq_scan = seq;
  t.seq_tup_read = seq * rows;
  t.idx_scan = idx;
  t.estimated_size_bytes = rows * 100;
  return t;
}

model::StatementStats Statement(std::int64_t queryid, std::int64_t calls, double total_ms,
                                std::optional<std::string> text) {
  model::StatementStats st;
  st.userid = 10;
  st.dbid = 5;
  st.datname = "app";
  st.queryid = queryid;
  st.calls = calls;
  st.total_exec_time = total_ms;
  st.toplevel = true;
  st.query = std::move(text);
  return st;
}

model::Snapshot Sample(int at_seconds, std::vector<model::TableStats> tables,
                       std::vector<model::StatementStats> statements = {}) {
  model::Snapshot s;
  s.collected_at = common::Timestamp{} + seconds(1'700'000'000 + at_seconds);
  s.outcomes = {testing::OkOutcome("stat_user_tables"), testing::OkOutcome("stat_statements")};
  s.tables = std::move(tables);
  s.statements = std::move(statements);
  return s;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& now,
                                     const model::Snapshot* before = nullptr,
                                     const Thresholds& t = {}) {
  return testing::EvaluateCheck(TableSeqScanHeavyCheck(), now, before, t);
}

bool HasEvidence(const model::Finding& f, std::string_view text) {
  for (const std::string& e : f.evidence) {
    if (e.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(TableSeqScanHeavyCheck, JudgesTheIntervalAndNamesTheStatementsThatMentionTheTable) {
  const model::Snapshot before = Sample(
      0, {Table("orders", 200000, 100, 1000)},
      {Statement(1, 10, 100, "SELECT * FROM public.orders WHERE note = $1"),
       Statement(2, 5, 50, "SELECT * FROM orders_archive"), Statement(3, 7, 70, std::nullopt)});
  const model::Snapshot now = Sample(
      60, {Table("orders", 200000, 160, 1020)},
      {Statement(1, 70, 9100, "SELECT * FROM public.orders WHERE note = $1"),
       Statement(2, 9, 90, "SELECT * FROM orders_archive"), Statement(3, 9, 90, std::nullopt)});
  const auto findings = Evaluate(now, &before);
  ASSERT_EQ(findings.size(), 1u);
  const model::Finding& f = findings[0];
  EXPECT_EQ(f.id, "table.seq_scan_heavy");
  EXPECT_EQ(f.object, "app.public.orders");
  EXPECT_EQ(f.severity, model::Severity::kInfo);
  EXPECT_DOUBLE_EQ(*f.value, 60.0 / 80.0);
  EXPECT_EQ(*f.threshold, 0.5);
  EXPECT_NE(f.message.find("over the last 60 s"), std::string::npos) << f.message;
  EXPECT_TRUE(HasEvidence(f, "queryid 1 (60 calls, 9.0 s in total in the interval)"));
  EXPECT_FALSE(HasEvidence(f, "queryid 2"));  // orders_archive is another table
  ASSERT_TRUE(f.recommendation.has_value());
  EXPECT_TRUE(f.recommendation->sql.empty());
}

TEST(TableSeqScanHeavyCheck, BothSidesOfTheShare) {
  const model::Snapshot before = Sample(0, {Table("t", 200000, 0, 0)});
  EXPECT_EQ(Evaluate(Sample(60, {Table("t", 200000, 50, 50)}), &before).size(), 1u);
  EXPECT_TRUE(Evaluate(Sample(60, {Table("t", 200000, 49, 51)}), &before).empty());
}

TEST(TableSeqScanHeavyCheck, IgnoresSmallTablesAndFewScans) {
  const model::Snapshot before = Sample(0, {Table("t", 0, 0, 0)});
  EXPECT_TRUE(Evaluate(Sample(60, {Table("t", 99999, 100, 0)}), &before).empty());
  EXPECT_EQ(Evaluate(Sample(60, {Table("t", 100000, 100, 0)}), &before).size(), 1u);
  EXPECT_TRUE(Evaluate(Sample(60, {Table("t", 100000, 9, 0)}), &before).empty());
  EXPECT_EQ(Evaluate(Sample(60, {Table("t", 100000, 10, 0)}), &before).size(), 1u);
}

TEST(TableSeqScanHeavyCheck, WithoutAPreviousSampleJudgesSinceResetAndSaysSo) {
  const auto findings = Evaluate(Sample(0, {Table("t", 500000, 900, std::nullopt)}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("since the statistics reset"), std::string::npos);
  EXPECT_TRUE(HasEvidence(findings[0], "the table has no index at all"));
  EXPECT_TRUE(HasEvidence(findings[0], "no statement text mentions it; no text available for 0"));
}

TEST(TableSeqScanHeavyCheck, ACounterResetBetweenSamplesFallsBackToSinceTheReset) {
  const model::Snapshot before = Sample(0, {Table("t", 200000, 5000, 100)});
  const auto findings = Evaluate(Sample(60, {Table("t", 200000, 30, 2)}), &before);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_DOUBLE_EQ(*findings[0].value, 30.0 / 32.0);
  EXPECT_NE(findings[0].message.find("counters went back"), std::string::npos);
}

TEST(TableSeqScanHeavyCheck, ARestartMakesThePreviousSampleUseless) {
  model::Snapshot before = Sample(0, {Table("t", 200000, 0, 0)});
  before.server.postmaster_start_time = common::Timestamp{} + seconds(5);
  const auto findings = Evaluate(Sample(60, {Table("t", 200000, 80, 20)}), &before);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("no earlier sample"), std::string::npos);
}

TEST(TableSeqScanHeavyCheck, SaysWhenStatementsAreNotCollectedOrHaveNoText) {
  model::Snapshot now =
      Sample(0, {Table("t", 200000, 80, 20)},
             {Statement(1, 5, 5, std::nullopt), Statement(2, 5, 5, std::nullopt)});
  auto findings = Evaluate(now);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(HasEvidence(findings[0], "no text available for 2 statements of database app"));
  now.outcomes.pop_back();
  findings = Evaluate(now);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(HasEvidence(findings[0], "pg_stat_statements not collected"));
}

TEST(TableSeqScanHeavyCheck, SaysNothingWithoutTheTablePart) {
  model::Snapshot now = Sample(0, {Table("t", 200000, 80, 20)});
  now.outcomes[0].status = model::CollectorStatus::kError;
  EXPECT_TRUE(Evaluate(now).empty());
}

TEST(TableSeqScanHeavyCheck, APerObjectOverrideSilencesAReportingTable) {
  ThresholdOverride o;
  o.key = "table.seq_scan_heavy";
  o.object_pattern = "app.public.report_*";
  o.level.warning = 1.01;  // never
  const auto findings =
      Evaluate(Sample(0, {Table("report_daily", 200000, 100, 0), Table("orders", 200000, 100, 0)}),
               nullptr, Thresholds({o}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].object, "app.public.orders");
}

TEST(QueryMentionsTable, MatchesWholeIdentifiersInAnyCaseOrQuoting) {
  EXPECT_TRUE(QueryMentionsTable("select * from Orders where id = $1", "orders"));
  EXPECT_TRUE(QueryMentionsTable("select * from public.orders", "orders"));
  EXPECT_TRUE(QueryMentionsTable("select * from \"we\"\"ird\" w", "we\"\"ird"));
  EXPECT_TRUE(QueryMentionsTable("update orders set x = 1", "orders"));
  EXPECT_FALSE(QueryMentionsTable("select * from orders_archive", "orders"));
  EXPECT_FALSE(QueryMentionsTable("select * from my_orders", "orders"));
  EXPECT_FALSE(QueryMentionsTable("select 1", ""));
}

TEST(TableSeqScanHeavyCheck, NamesACandidateIndexFromTheWhereOfAScanningSelect) {
  const std::string text =
      "SELECT id FROM public.orders o WHERE o.created_at > $1 AND o.customer_id = $2";
  const model::Snapshot before =
      Sample(0, {Table("orders", 200000, 100, 1000)},
             {Statement(1, 10, 100, text), Statement(2, 10, 10, "UPDATE orders SET note = $1")});
  const model::Snapshot now =
      Sample(60, {Table("orders", 200000, 160, 1020)},
             {Statement(1, 70, 9100, text), Statement(2, 20, 20, "UPDATE orders SET note = $1")});
  const auto findings = Evaluate(now, &before);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(HasEvidence(findings[0],
                          "candidate index on orders (customer_id, created_at): the columns "
                          "queryid 1 compares with values in its WHERE"));
  const History history;
  const Thresholds thresholds;
  const CheckInput input{now, &before, history, thresholds};
  const auto candidates = SeqScanIndexCandidates(input);
  ASSERT_EQ(candidates.size(), 1u);
  EXPECT_EQ(candidates[0].object, "app.public.orders");
  EXPECT_EQ(candidates[0].columns, (std::vector<std::string>{"customer_id", "created_at"}));
  EXPECT_EQ(candidates[0].queryid, 1);
  EXPECT_EQ(candidates[0].query, text);
  EXPECT_EQ(candidates[0].parameters, 2);
}

TEST(TableSeqScanHeavyCheck, NamesNoCandidateFromAStatementThatWrites) {
  const std::string text = "UPDATE orders SET note = $1 WHERE customer_id = $2";
  const model::Snapshot before =
      Sample(0, {Table("orders", 200000, 100, 1000)}, {Statement(1, 10, 100, text)});
  const model::Snapshot now =
      Sample(60, {Table("orders", 200000, 160, 1020)}, {Statement(1, 70, 9100, text)});
  ASSERT_EQ(Evaluate(now, &before).size(), 1u);
  EXPECT_FALSE(HasEvidence(Evaluate(now, &before)[0], "candidate index"));
  const History history;
  const Thresholds thresholds;
  const CheckInput input{now, &before, history, thresholds};
  EXPECT_TRUE(SeqScanIndexCandidates(input).empty());
}

// A composed snapshot's times: its fast parts at `at`, its slow parts (stat_user_tables) at
// `slow_at`.
model::Snapshot Composed(int at, int slow_at, std::vector<model::TableStats> tables) {
  model::Snapshot s = Sample(at, std::move(tables));
  s.tier_times.fast = s.collected_at;
  s.tier_times.slow = common::Timestamp{} + seconds(1'700'000'000 + slow_at);
  return s;
}

TEST(TableSeqScanHeavyCheck, AComposedSnapshotIsJudgedOverTheSlowTiersInterval) {
  // Fast parts 1 s apart, pg_stat_user_tables (slow tier) 5 min apart.
  const model::Snapshot before = Composed(600, 299, {Table("t", 200000, 0, 0)});
  const auto findings = Evaluate(Composed(601, 599, {Table("t", 200000, 60, 20)}), &before);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_DOUBLE_EQ(*findings[0].value, 0.75);
  EXPECT_NE(findings[0].message.find("over the last 5 min"), std::string::npos)
      << findings[0].message;
}

TEST(TableSeqScanHeavyCheck, SlowPartsNotReadAgainAreNotSubtracted) {
  // Both composed snapshots hold the same slow read: no interval to judge, only since reset.
  const model::Snapshot before = Composed(600, 299, {Table("t", 200000, 60, 20)});
  const auto findings = Evaluate(Composed(601, 299, {Table("t", 200000, 60, 20)}), &before);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("since the statistics reset"), std::string::npos)
      << findings[0].message;
}

}  // namespace
}  // namespace pgvigil::analysis
