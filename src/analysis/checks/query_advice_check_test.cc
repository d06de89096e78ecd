// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/query_advice_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

using common::TimestampFromEpochSeconds;

model::StatementStats Stmt(std::int64_t queryid, std::optional<std::string> query,
                           double total_ms = 1000, std::int64_t calls = 10,
                           std::int64_t rows = 10) {
  model::StatementStats s = testing::Statement(queryid, calls, total_ms);
  s.rows = rows;
  s.shared_blks_hit = 0;
  s.query = std::move(query);
  return s;
}

model::Snapshot Sample(std::vector<model::StatementStats> statements, double at = 1000) {
  model::Snapshot s;
  s.target = "db1";
  s.collected_at = TimestampFromEpochSeconds(at);
  s.outcomes = {testing::OkOutcome("stat_statements")};
  s.statements = std::move(statements);
  s.statements_info = model::StatementsInfo{0, TimestampFromEpochSeconds(100)};
  return s;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& now,
                                     const model::Snapshot* before = nullptr,
                                     const Thresholds& t = {}) {
  return testing::EvaluateCheck(QueryAdviceCheck(), now, before, t);
}

// The advice on one statement text (with `rows` rows per call), or none.
std::vector<model::Finding> AdviceOn(const std::string& text, std::int64_t rows_per_call = 1) {
  return Evaluate(Sample({Stmt(42, text, 1000, 10, rows_per_call * 10)}));
}

bool EvidenceHas(const model::Finding& f, std::string_view part) {
  for (const std::string& line : f.evidence) {
    if (line.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(QueryAdviceCheck, ListsEveryPieceOfAdviceOnAStatementInOneInfoFinding) {
  const auto findings = AdviceOn(
      "select * from orders o, customers c where lower(o.email) = $1 and o.note like '%' || $2 "
      "and o.id not in (select order_id from refunds)");
  ASSERT_EQ(findings.size(), 1u);
  const model::Finding& f = findings[0];
  EXPECT_EQ(f.id, "query.advice");
  EXPECT_EQ(f.severity, model::Severity::kInfo);
  EXPECT_EQ(f.object, "queryid 42");
  EXPECT_FALSE(f.insufficient_data);
  EXPECT_EQ(*f.value, 5);
  EXPECT_TRUE(f.message.starts_with(
      "queryid 42: 5 pieces of advice: SELECT *, join without a condition, leading-wildcard "
      "LIKE, function over a column in WHERE, NOT IN (subquery): select * from orders o"))
      << f.message;
  EXPECT_NE(f.evidence[0].find("over 10 calls since pg_stat_statements began counting it; "
                               "fingerprint "),
            std::string::npos);
  EXPECT_TRUE(EvidenceHas(f, "join without a condition: o, c with nothing in WHERE linking them"));
  EXPECT_TRUE(EvidenceHas(f, "leading-wildcard LIKE: o.note LIKE '%' || $2"));
  EXPECT_TRUE(EvidenceHas(f, "function over a column in WHERE: lower(o.email)"));
  EXPECT_TRUE(EvidenceHas(f, "NOT IN (subquery): o.id NOT IN (SELECT …)"));
  ASSERT_TRUE(f.recommendation.has_value());
  EXPECT_TRUE(f.recommendation->sql.empty());
}

TEST(QueryAdviceCheck, AdvisesAgainstSelectStarButNotANamedList) {
  const auto flagged = AdviceOn("select * from orders where id = $1");
  ASSERT_EQ(flagged.size(), 1u);
  EXPECT_EQ(flagged[0].message,
            "queryid 42: 1 piece of advice: SELECT *: select * from orders where id = $1");
  EXPECT_TRUE(AdviceOn("select id, total from orders where id = $1").empty());
}

TEST(QueryAdviceCheck, AdvisesAgainstAnUnboundedReadFromTenThousandRowsPerCall) {
  const std::string text = "select id, total from orders";
  EXPECT_TRUE(AdviceOn(text, 9999).empty());
  const auto flagged = AdviceOn(text, 10000);
  ASSERT_EQ(flagged.size(), 1u);
  EXPECT_TRUE(EvidenceHas(flagged[0],
                          "unbounded read: the whole of orders with no WHERE and no "
                          "LIMIT, 10000 rows per call (advised from 10000)"));
  EXPECT_TRUE(AdviceOn("select id, total from orders limit $1", 10000).empty());
  EXPECT_TRUE(AdviceOn("select id, total from orders where total > $1", 10000).empty());
}

TEST(QueryAdviceCheck, AdvisesAgainstAJoinWithoutACondition) {
  ASSERT_EQ(AdviceOn("select o.id, c.name from orders o cross join customers c").size(), 1u);
  EXPECT_TRUE(AdviceOn("select o.id, c.name from orders o join customers c on c.id = o.customer_id")
                  .empty());
  ASSERT_EQ(AdviceOn("select o.id from orders o, customers c where o.id = $1").size(), 1u);
  EXPECT_TRUE(
      AdviceOn("select o.id from orders o, customers c where o.id = $1 and c.id = o.customer_id")
          .empty());
}

TEST(QueryAdviceCheck, AdvisesAgainstALeadingWildcardButOnlyNotesAParameterPattern) {
  ASSERT_EQ(AdviceOn("select id from users where name ilike '%' || $1 || '%'").size(), 1u);
  EXPECT_TRUE(AdviceOn("select id from users where name ilike $1 || '%'").empty());
  // A parameter pattern alone is not advice; beside other advice the evidence says why it was
  // not judged.
  EXPECT_TRUE(AdviceOn("select id from users where name like $1").empty());
  const auto noted = AdviceOn("select * from users where name like $1");
  ASSERT_EQ(noted.size(), 1u);
  EXPECT_EQ(*noted[0].value, 1);
  EXPECT_TRUE(EvidenceHas(noted[0],
                          "name LIKE $1: the pattern is a parameter and cannot be "
                          "judged from the normalised text"));
}

TEST(QueryAdviceCheck, AdvisesAgainstAFunctionOverAColumnInWhere) {
  const auto flagged = AdviceOn("select id from events where date(created_at) = $1");
  ASSERT_EQ(flagged.size(), 1u);
  EXPECT_TRUE(EvidenceHas(flagged[0], "function over a column in WHERE: date(created_at)"));
  EXPECT_EQ(AdviceOn("select id from events where id::text = $1").size(), 1u);
  EXPECT_TRUE(AdviceOn("select id from events where created_at >= $1 and created_at < $2").empty());
}

TEST(QueryAdviceCheck, AdvisesAgainstNotInOverASubquery) {
  EXPECT_EQ(AdviceOn("select id from users where id not in (select user_id from banned)").size(),
            1u);
  EXPECT_TRUE(AdviceOn("select id from users u where not exists (select 1 from banned b where "
                       "b.user_id = u.id)")
                  .empty());
}

TEST(QueryAdviceCheck, AdvisesInOrAnyForThreeOrsOverOneColumn) {
  const auto flagged = AdviceOn(
      "select id from orders where status = $1 or status = $2 or status = $3 or status = $4");
  ASSERT_EQ(flagged.size(), 1u);
  EXPECT_TRUE(EvidenceHas(flagged[0], "OR chain: status compared with = 4 times joined by OR"));
  EXPECT_TRUE(AdviceOn("select id from orders where status = any($1)").empty());
}

TEST(QueryAdviceCheck, SaysSoWhenTheTextDoesNotParse) {
  const auto findings = AdviceOn("selec * frm orders");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_TRUE(findings[0].insufficient_data);
  EXPECT_EQ(findings[0].severity, model::Severity::kInfo);
  EXPECT_FALSE(findings[0].value.has_value());
  EXPECT_NE(findings[0].evidence[0].find("parse error: syntax error"), std::string::npos);
}

TEST(QueryAdviceCheck, SkipsWithheldAndUncollectedTexts) {
  const auto findings = Evaluate(
      Sample({Stmt(1, "<withheld by pgvigil: may contain a credential>"), Stmt(2, std::nullopt)}));
  EXPECT_TRUE(findings.empty());
}

TEST(QueryAdviceCheck, SaysNothingWithoutAUsablePgStatStatementsPart) {
  model::Snapshot s = Sample({Stmt(1, "select * from orders")});
  s.outcomes[0].status = model::CollectorStatus::kError;
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(QueryAdviceCheck, AdvisesOnTheTopStatementsByTotalExecutionTime) {
  // Twelve statements with SELECT *; queryid q spent q seconds in total: the top ten are 3–12.
  std::vector<model::StatementStats> statements;
  for (std::int64_t q = 1; q <= 12; ++q) {
    statements.push_back(Stmt(q, "select * from t where id = $1", q * 1000.0));
  }
  const auto findings = Evaluate(Sample(statements));
  ASSERT_EQ(findings.size(), 10u);
  for (const model::Finding& f : findings) {
    EXPECT_NE(f.object, "queryid 1");
    EXPECT_NE(f.object, "queryid 2");
  }
  // The number is a parameter.
  const Thresholds three({ThresholdOverride{"query.advice.top_statements", "*", "*", {3, {}}}});
  EXPECT_EQ(Evaluate(Sample(statements), nullptr, three).size(), 3u);
}

TEST(QueryAdviceCheck, AlsoAdvisesOnAStatementQuerySlowStatementFlags) {
  // queryid 7 is last by total time but took 600 ms a call over the last minute.
  std::vector<model::StatementStats> before_rows = {Stmt(7, "select * from t", 0, 0, 0)};
  std::vector<model::StatementStats> now_rows = {Stmt(7, "select * from t", 6000, 10)};
  for (std::int64_t q = 100; q < 110; ++q) {
    before_rows.push_back(Stmt(q, "select * from u where id = $1", 100000.0));
    now_rows.push_back(Stmt(q, "select * from u where id = $1", 100000.0));
  }
  const model::Snapshot before = Sample(before_rows, 1000);
  const model::Snapshot now = Sample(now_rows, 1060);
  const auto findings = Evaluate(now, &before);
  ASSERT_EQ(findings.size(), 11u);
  EXPECT_EQ(findings[0].object, "queryid 7");
  // Without the previous sample it is not among the top ten.
  EXPECT_EQ(Evaluate(now).size(), 10u);
}

TEST(QueryAdviceCheck, TakesTheRowsPerCallLevelPerStatement) {
  const Thresholds t(
      {ThresholdOverride{"query.advice.min_rows_per_call", "*", "queryid 42", {100, {}}}});
  EXPECT_EQ(
      Evaluate(Sample({Stmt(42, "select id from orders", 1000, 10, 1000)}), nullptr, t).size(), 1u);
  EXPECT_TRUE(
      Evaluate(Sample({Stmt(43, "select id from orders", 1000, 10, 1000)}), nullptr, t).empty());
}

}  // namespace
}  // namespace pgvigil::analysis
