// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/sequence_exhaustion_check.h"

#include <cmath>

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

constexpr std::int64_t kIntMax = 2147483647;
constexpr std::int64_t kBigMax = 9223372036854775807;

// A bigint sequence (the identity default) feeding an integer column: the column limits it.
model::SequenceStats Sequence(std::int64_t last_value) {
  model::SequenceStats q;
  q.datname = "app";
  q.schemaname = "public";
  q.sequencename = "orders_id_seq";
  q.data_type = "bigint";
  q.min_value = 1;
  q.max_value = kBigMax;
  q.increment_by = 1;
  q.last_value = last_value;
  q.owned_by = "public.orders.id";
  q.column_type = "integer";
  return q;
}

model::Snapshot Server(std::vector<model::SequenceStats> sequences) {
  model::Snapshot s;
  s.target = "prod";
  s.server.current_user = "monitor";
  s.outcomes = {testing::OkOutcome("sequences")};
  s.sequences = std::move(sequences);
  return s;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& s, const Thresholds& t = {}) {
  return testing::EvaluateCheck(SequenceExhaustionCheck(), s, nullptr, t);
}

// last_value at `share` of the integer range 1 … 2^31 - 1.
std::int64_t At(double share) {
  return 1 + static_cast<std::int64_t>(std::ceil(share * static_cast<double>(kIntMax - 1)));
}

TEST(SequenceExhaustionCheck, JudgesABigintSequenceByTheIntegerColumnItFeeds) {
  EXPECT_TRUE(Evaluate(Server({Sequence(At(0.7499))})).empty());
  auto findings = Evaluate(Server({Sequence(At(0.75))}));
  ASSERT_EQ(findings.size(), 1u);
  const model::Finding& f = findings[0];
  EXPECT_EQ(f.id, "sequence.exhaustion");
  EXPECT_EQ(f.object, "app.public.orders_id_seq");
  EXPECT_EQ(f.severity, model::Severity::kWarning);
  EXPECT_EQ(*f.threshold, 0.75);
  EXPECT_NEAR(*f.value, 0.75, 1e-9);
  EXPECT_NE(f.message.find("used 75 % of its range"), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("before the integer column public.orders.id"), std::string::npos)
      << f.message;
  EXPECT_EQ(f.recommendation->sql,
            "ALTER TABLE \"public\".\"orders\" ALTER COLUMN \"id\" TYPE bigint;");
  EXPECT_NE(f.recommendation->why.find("rewrites the table"), std::string::npos);
  EXPECT_EQ(Evaluate(Server({Sequence(At(0.8999))})).at(0).severity, model::Severity::kWarning);
  EXPECT_EQ(Evaluate(Server({Sequence(At(0.90))})).at(0).severity, model::Severity::kCritical);
}

TEST(SequenceExhaustionCheck, AnIntegerSequenceOfAnIntegerColumnNeedsBothWidened) {
  model::SequenceStats q = Sequence(At(0.95));
  q.data_type = "integer";
  q.max_value = kIntMax;
  const auto findings = Evaluate(Server({q}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].recommendation->sql,
            "ALTER TABLE \"public\".\"orders\" ALTER COLUMN \"id\" TYPE bigint; "
            "ALTER SEQUENCE \"public\".\"orders_id_seq\" AS bigint;");
}

TEST(SequenceExhaustionCheck, AnIntegerSequenceOfABigintColumnNeedsOnlyTheSequence) {
  model::SequenceStats q = Sequence(At(0.95));
  q.data_type = "integer";
  q.max_value = kIntMax;
  q.column_type = "bigint";
  const auto findings = Evaluate(Server({q}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].recommendation->sql,
            "ALTER SEQUENCE \"public\".\"orders_id_seq\" AS bigint;");
}

TEST(SequenceExhaustionCheck, ALoweredMaxvalueIsLifted) {
  model::SequenceStats q = Sequence(950);
  q.max_value = 1000;
  q.owned_by.clear();
  q.column_type.clear();
  const auto findings = Evaluate(Server({q}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kCritical);
  EXPECT_EQ(findings[0].recommendation->sql,
            "ALTER SEQUENCE \"public\".\"orders_id_seq\" NO MAXVALUE;");
}

TEST(SequenceExhaustionCheck, MirrorsTheRangeForADecreasingSequence) {
  model::SequenceStats q = Sequence(-1);
  q.increment_by = -1;
  q.min_value = -kBigMax - 1;
  q.max_value = -1;
  q.last_value = -1 - static_cast<std::int64_t>(0.8 * 2147483647.0);  // toward the integer minimum
  const auto findings = Evaluate(Server({q}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NEAR(*findings[0].value, 0.8, 1e-6);
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  q.last_value = -5;
  EXPECT_TRUE(Evaluate(Server({q})).empty());
}

TEST(SequenceExhaustionCheck, ACycleSequenceIsInfoOnly) {
  model::SequenceStats q = Sequence(At(0.99));
  q.cycle = true;
  const auto findings = Evaluate(Server({q}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kInfo);
  EXPECT_NE(findings[0].message.find("cycles"), std::string::npos);
}

TEST(SequenceExhaustionCheck, CountsUnreadableSequencesInOneFindingWithTheGrant) {
  model::SequenceStats a = Sequence(At(0.99));
  a.is_readable = false;
  a.last_value.reset();
  model::SequenceStats b = a;
  b.schemaname = "we\"ird";
  b.sequencename = "s2";
  model::Snapshot s = Server({a, b, Sequence(5)});
  s.server.current_user = "mon\"itor";
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  const model::Finding& f = findings[0];
  EXPECT_EQ(f.severity, model::Severity::kInfo);
  EXPECT_TRUE(f.insufficient_data);
  EXPECT_EQ(f.object, "app");
  EXPECT_EQ(*f.value, 2);
  EXPECT_NE(f.message.find("2 sequences in database app could not be judged"), std::string::npos);
  EXPECT_EQ(
      f.recommendation->sql,
      "GRANT SELECT ON ALL SEQUENCES IN SCHEMA \"public\", \"we\"\"ird\" TO \"mon\"\"itor\";");
}

TEST(SequenceExhaustionCheck, SaysNothingWithoutCollectedSequencesOrAValue) {
  model::Snapshot s = Server({Sequence(At(0.99))});
  s.outcomes[0].status = model::CollectorStatus::kError;
  EXPECT_TRUE(Evaluate(s).empty());
  model::SequenceStats never_called = Sequence(0);
  never_called.last_value.reset();
  EXPECT_TRUE(Evaluate(Server({never_called})).empty());
}

TEST(SequenceExhaustionCheck, APerSequenceOverrideChangesTheLevels) {
  const Thresholds t({{"sequence.exhaustion", "*", "app.public.orders_*", {0.95, 0.99}}});
  EXPECT_TRUE(Evaluate(Server({Sequence(At(0.92))}), t).empty());
  EXPECT_EQ(Evaluate(Server({Sequence(At(0.92))})).size(), 1u);
}

TEST(SequenceExhaustionCheck, QuotesHostileNamesFromTheOwningColumn) {
  model::SequenceStats q = Sequence(At(0.95));
  q.owned_by = "\"we\"\"ird\".\"Orders\".\"id; DROP TABLE x\"";
  const auto findings = Evaluate(Server({q}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].recommendation->sql,
            "ALTER TABLE \"we\"\"ird\".\"Orders\" ALTER COLUMN \"id; DROP TABLE x\" TYPE bigint;");
}

TEST(SplitQualifiedName, UnquotesEachPartAsQuoteIdentWroteIt) {
  EXPECT_EQ(*SplitQualifiedName("public.orders.id"),
            (std::vector<std::string>{"public", "orders", "id"}));
  EXPECT_EQ(*SplitQualifiedName("\"a.b\".\"we\"\"ird\".c"),
            (std::vector<std::string>{"a.b", "we\"ird", "c"}));
  EXPECT_FALSE(SplitQualifiedName("\"open.x").has_value());
}

}  // namespace
}  // namespace pgvigil::analysis
