// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/index_duplicate_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

constexpr std::int64_t kMiB = 1024 * 1024;

model::IndexStats Index(std::string name, std::vector<std::string> columns, std::uint32_t oid,
                        std::int64_t scans = 0) {
  model::IndexStats i;
  i.datname = "app";
  i.relid = 100;
  i.indexrelid = oid;
  i.schemaname = "public";
  i.relname = "orders";
  i.indexrelname = std::move(name);
  i.access_method = "btree";
  i.indnkeyatts = static_cast<int>(columns.size());
  i.opclasses.assign(columns.size(), "int4_ops");
  i.collations.assign(columns.size(), "");
  i.indoption.assign(columns.size(), 0);
  i.key_columns = std::move(columns);
  i.idx_scan = scans;
  i.estimated_size_bytes = 8 * kMiB;
  return i;
}

model::Snapshot Sample(std::vector<model::IndexStats> indexes) {
  model::Snapshot s;
  s.outcomes = {testing::OkOutcome("stat_user_indexes")};
  s.indexes = std::move(indexes);
  return s;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& s, const Thresholds& t = {}) {
  return testing::EvaluateCheck(IndexDuplicateCheck(), s, nullptr, t);
}

TEST(IndexDuplicateCheck, KeepsTheMoreScannedTwinAndDropsTheOther) {
  const auto findings =
      Evaluate(Sample({Index("a", {"customer_id"}, 10, 3), Index("b", {"customer_id"}, 11, 90)}));
  ASSERT_EQ(findings.size(), 1u);
  const model::Finding& f = findings[0];
  EXPECT_EQ(f.id, "index.duplicate");
  EXPECT_EQ(f.object, "app.public.a");
  EXPECT_EQ(f.severity, model::Severity::kWarning);
  EXPECT_EQ(*f.value, 8 * kMiB);
  EXPECT_NE(f.message.find("duplicates b"), std::string::npos) << f.message;
  EXPECT_EQ(f.recommendation->sql, "DROP INDEX CONCURRENTLY \"public\".\"a\";");
}

TEST(IndexDuplicateCheck, KeepsThePrimaryKeyThenAConstraintThenAUniqueIndex) {
  model::IndexStats pk = Index("orders_pkey", {"id"}, 30);
  pk.indisprimary = pk.indisunique = true;
  pk.constraint_type = "p";
  pk.constraint_name = "orders_pkey";
  model::IndexStats uc = Index("orders_id_key", {"id"}, 20, 1000);
  uc.indisunique = true;
  uc.constraint_type = "u";
  uc.constraint_name = "orders_id_key";
  model::IndexStats unique = Index("orders_id_uniq", {"id"}, 10, 5000);
  unique.indisunique = true;
  model::IndexStats plain = Index("orders_id_idx", {"id"}, 5, 9000);
  const auto findings = Evaluate(Sample({plain, unique, uc, pk}));
  ASSERT_EQ(findings.size(), 3u);
  for (const model::Finding& f : findings) {
    EXPECT_NE(f.message.find("duplicates orders_pkey"), std::string::npos) << f.message;
  }
  // Sorted by what they enforce: the unique constraint first, dropped with ALTER TABLE.
  EXPECT_EQ(findings[0].object, "app.public.orders_id_key");
  EXPECT_EQ(findings[0].recommendation->sql,
            "ALTER TABLE \"public\".\"orders\" DROP CONSTRAINT \"orders_id_key\";");
  EXPECT_EQ(findings[1].object, "app.public.orders_id_uniq");
  EXPECT_EQ(findings[2].object, "app.public.orders_id_idx");
}

TEST(IndexDuplicateCheck, ComparesIncludeColumnsOptionsCollationsAndPredicates) {
  model::IndexStats base = Index("base", {"a", "b"}, 1);
  model::IndexStats include = Index("include", {"a", "b"}, 2);
  include.indnkeyatts = 1;  // (a) INCLUDE (b)
  model::IndexStats desc = Index("desc", {"a", "b"}, 3);
  desc.indoption[1] = 3;
  model::IndexStats collated = Index("collated", {"a", "b"}, 4);
  collated.collations[0] = "C";
  model::IndexStats partial = Index("partial", {"a", "b"}, 5);
  partial.predicate = "(a > 0)";
  model::IndexStats hash = Index("hash", {"a", "b"}, 6);
  hash.access_method = "hash";
  model::IndexStats other_table = Index("other", {"a", "b"}, 7);
  other_table.relid = 101;
  other_table.relname = "other";
  EXPECT_TRUE(
      Evaluate(Sample({base, include, desc, collated, partial, hash, other_table})).empty());
}

TEST(IndexDuplicateCheck, IgnoresAnInvalidTwin) {
  model::IndexStats invalid = Index("b", {"a"}, 2);
  invalid.indisvalid = false;
  EXPECT_TRUE(Evaluate(Sample({Index("a", {"a"}, 1), invalid})).empty());
}

TEST(IndexDuplicateCheck, SaysNothingWithoutTheIndexPart) {
  model::Snapshot s = Sample({Index("a", {"a"}, 1), Index("b", {"a"}, 2)});
  s.outcomes.clear();
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(IndexDuplicateCheck, AnOverrideCanSilenceSmallDuplicatesOfOneTable) {
  model::IndexStats small_a = Index("small_a", {"x"}, 1);
  model::IndexStats small_b = Index("small_b", {"x"}, 2);
  small_b.estimated_size_bytes = 1 * kMiB - 1;
  ThresholdOverride o;
  o.key = "index.duplicate";
  o.object_pattern = "app.public.small_*";
  o.level.warning = 1 * kMiB;
  EXPECT_TRUE(Evaluate(Sample({small_a, small_b}), Thresholds({o})).empty());
  small_b.estimated_size_bytes = 1 * kMiB;
  EXPECT_EQ(Evaluate(Sample({small_a, small_b}), Thresholds({o})).size(), 1u);
}

TEST(IndexDuplicateCheck, QuotesHostileNames) {
  model::IndexStats a = Index("we\"ird", {"x"}, 1);
  model::IndexStats b = Index("keep", {"x"}, 2, 50);
  a.schemaname = b.schemaname = "My Schema";
  const auto findings = Evaluate(Sample({a, b}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].recommendation->sql,
            "DROP INDEX CONCURRENTLY \"My Schema\".\"we\"\"ird\";");
}

TEST(DescribeColumns, WritesOrderingIncludeAndPredicate) {
  model::IndexStats i = Index("i", {"lower(email)", "created", "id"}, 1);
  i.indnkeyatts = 2;
  i.indoption = {0, 1};
  i.predicate = "(deleted_at IS NULL)";
  EXPECT_EQ(DescribeColumns(i),
            "(lower(email), created DESC NULLS LAST) INCLUDE (id) WHERE (deleted_at IS NULL)");
}

}  // namespace
}  // namespace pgvigil::analysis
