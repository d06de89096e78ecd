// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/index_redundant_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

constexpr std::int64_t kMiB = 1024 * 1024;
constexpr std::int64_t kGiB = 1024 * kMiB;

model::IndexStats Index(std::string name, std::vector<std::string> columns,
                        std::int64_t bytes = 8 * kMiB) {
  model::IndexStats i;
  i.datname = "app";
  i.relid = 100;
  i.schemaname = "public";
  i.relname = "orders";
  i.indexrelname = std::move(name);
  i.access_method = "btree";
  i.indnkeyatts = static_cast<int>(columns.size());
  i.opclasses.assign(columns.size(), "int4_ops");
  i.collations.assign(columns.size(), "");
  i.indoption.assign(columns.size(), 0);
  i.key_columns = std::move(columns);
  i.estimated_size_bytes = bytes;
  return i;
}

model::Snapshot Sample(std::vector<model::IndexStats> indexes) {
  model::Snapshot s;
  s.outcomes = {testing::OkOutcome("stat_user_indexes")};
  s.indexes = std::move(indexes);
  return s;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& s, const Thresholds& t = {}) {
  return testing::EvaluateCheck(IndexRedundantCheck(), s, nullptr, t);
}

TEST(IndexRedundantCheck, APrefixIndexIsInfoBelowOneGiBAndAWarningFromIt) {
  auto findings = Evaluate(Sample({Index("a", {"a"}, 1 * kGiB - 1), Index("ab", {"a", "b"})}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "index.redundant");
  EXPECT_EQ(findings[0].object, "app.public.a");
  EXPECT_EQ(findings[0].severity, model::Severity::kInfo);
  EXPECT_NE(findings[0].message.find("covered by ab"), std::string::npos) << findings[0].message;
  EXPECT_EQ(findings[0].recommendation->sql, "DROP INDEX CONCURRENTLY \"public\".\"a\";");
  findings = Evaluate(Sample({Index("a", {"a"}, 1 * kGiB), Index("ab", {"a", "b"})}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_EQ(*findings[0].threshold, 1 * kGiB);
}

TEST(IndexRedundantCheck, NeverWhenTheShorterOneEnforcesSomething) {
  model::IndexStats unique = Index("a", {"a"});
  unique.indisunique = true;
  EXPECT_TRUE(Evaluate(Sample({unique, Index("ab", {"a", "b"})})).empty());
  model::IndexStats constraint = Index("a", {"a"});
  constraint.constraint_type = "x";
  EXPECT_TRUE(Evaluate(Sample({constraint, Index("ab", {"a", "b"})})).empty());
}

TEST(IndexRedundantCheck, NotAPrefixOrNotCompatibleIsNotRedundant) {
  EXPECT_TRUE(Evaluate(Sample({Index("b", {"b"}), Index("ab", {"a", "b"})})).empty());
  model::IndexStats text_pattern = Index("a", {"a"});
  text_pattern.opclasses[0] = "text_pattern_ops";
  EXPECT_TRUE(Evaluate(Sample({text_pattern, Index("ab", {"a", "b"})})).empty());
  model::IndexStats collated = Index("a", {"a"});
  collated.collations[0] = "C";
  EXPECT_TRUE(Evaluate(Sample({collated, Index("ab", {"a", "b"})})).empty());
  model::IndexStats partial = Index("a", {"a"});
  partial.predicate = "(a > 0)";
  EXPECT_TRUE(Evaluate(Sample({partial, Index("ab", {"a", "b"})})).empty());
  model::IndexStats gin = Index("ab", {"a", "b"});
  gin.access_method = "gin";
  EXPECT_TRUE(Evaluate(Sample({Index("a", {"a"}), gin})).empty());
  model::IndexStats invalid = Index("ab", {"a", "b"});
  invalid.indisvalid = false;
  EXPECT_TRUE(Evaluate(Sample({Index("a", {"a"}), invalid})).empty());
}

TEST(IndexRedundantCheck, OrderingMustMatchOrBeEntirelyReversed) {
  model::IndexStats desc = Index("a_desc", {"a"});
  desc.indoption = {3};  // DESC NULLS FIRST: (a, b) read backwards
  EXPECT_EQ(Evaluate(Sample({desc, Index("ab", {"a", "b"})})).size(), 1u);
  model::IndexStats desc_nulls_last = Index("a_desc", {"a"});
  desc_nulls_last.indoption = {1};
  EXPECT_TRUE(Evaluate(Sample({desc_nulls_last, Index("ab", {"a", "b"})})).empty());
  model::IndexStats mixed = Index("ab_mixed", {"a", "b"});
  mixed.indoption = {0, 3};
  EXPECT_TRUE(Evaluate(Sample({mixed, Index("abc", {"a", "b", "c"})})).empty());
}

TEST(IndexRedundantCheck, IncludeColumnsMustBeInTheLongerIndex) {
  model::IndexStats with_include = Index("a_inc_c", {"a", "c"});
  with_include.indnkeyatts = 1;  // (a) INCLUDE (c)
  EXPECT_TRUE(Evaluate(Sample({with_include, Index("ab", {"a", "b"})})).empty());
  EXPECT_EQ(Evaluate(Sample({with_include, Index("abc", {"a", "b", "c"})})).size(), 1u);
  // Same keys, more INCLUDE columns: (a) is covered by (a) INCLUDE (c).
  EXPECT_EQ(Evaluate(Sample({Index("a", {"a"}), with_include})).size(), 1u);
}

TEST(IndexRedundantCheck, LeavesExactDuplicatesToIndexDuplicate) {
  EXPECT_TRUE(Evaluate(Sample({Index("a1", {"a"}), Index("a2", {"a"})})).empty());
}

TEST(IndexRedundantCheck, NamesTheSmallestCoveringIndex) {
  const auto findings =
      Evaluate(Sample({Index("a", {"a"}), Index("abc", {"a", "b", "c"}, 90 * kMiB),
                       Index("ab", {"a", "b"}, 20 * kMiB)}));
  ASSERT_EQ(findings.size(), 2u);  // a by ab; ab by abc
  EXPECT_EQ(findings[0].object, "app.public.a");
  EXPECT_NE(findings[0].message.find("covered by ab:"), std::string::npos) << findings[0].message;
  EXPECT_EQ(findings[1].object, "app.public.ab");
}

TEST(IndexRedundantCheck, SaysNothingWithoutTheIndexPart) {
  model::Snapshot s = Sample({Index("a", {"a"}), Index("ab", {"a", "b"})});
  s.outcomes[0].status = model::CollectorStatus::kSkipped;
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(IndexRedundantCheck, APerObjectOverrideRaisesOneIndexToAWarning) {
  ThresholdOverride o;
  o.key = "index.redundant";
  o.object_pattern = "app.public.a";
  o.level.warning = 1 * kMiB;
  const auto findings =
      Evaluate(Sample({Index("a", {"a"}), Index("ab", {"a", "b"})}), Thresholds({o}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
}

TEST(IndexRedundantCheck, QuotesAHostileName) {
  model::IndexStats a = Index("we\"ird", {"a"});
  a.schemaname = "public";
  const auto findings = Evaluate(Sample({a, Index("ab", {"a", "b"})}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].recommendation->sql, "DROP INDEX CONCURRENTLY \"public\".\"we\"\"ird\";");
}

}  // namespace
}  // namespace pgvigil::analysis
