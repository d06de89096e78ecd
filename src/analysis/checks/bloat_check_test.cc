// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/bloat_check.h"

#include <cmath>

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

// (id bigint, v text) with 33-byte texts: 24 + 48 = 72 bytes a row, 107 rows a page.
model::BloatInputs Table(std::string name, double reltuples, std::int64_t relpages) {
  model::BloatInputs b;
  b.datname = "app";
  b.relid = 16384;
  b.schemaname = "public";
  b.relname = std::move(name);
  b.reltuples = reltuples;
  b.relpages = relpages;
  b.fillfactor = 100;
  b.header_width = 23;
  b.data_width = 41;
  b.tuple_width = 72;
  b.columns = 2;
  return b;
}

// A btree on the bigint: 8 + 8 = 16 bytes an entry, 366 entries a leaf page at fillfactor 90.
model::BloatInputs Index(std::string name, double reltuples, std::int64_t relpages) {
  model::BloatInputs b = Table("orders", reltuples, relpages);
  b.indexrelid = 16390;
  b.indexrelname = std::move(name);
  b.fillfactor = 90;
  b.header_width = 8;
  b.data_width = 8;
  b.tuple_width = 16;
  b.columns = 1;
  return b;
}

model::Snapshot Sample(std::vector<model::BloatInputs> inputs) {
  model::Snapshot s;
  s.server.block_size = 8192;
  s.outcomes = {testing::OkOutcome("bloat_inputs")};
  s.bloat_inputs = std::move(inputs);
  return s;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& s, const Thresholds& t = {}) {
  return testing::EvaluateCheck(BloatCheck(), s, nullptr, t);
}

// Pages so that the waste is `ratio` of the table for 40,000 rows (374 pages needed).
std::int64_t TablePagesFor(double ratio) {
  return static_cast<std::int64_t>(std::ceil(374 / (1 - ratio)));
}

TEST(EstimateBloat, PacksHeapRowsAsPostgreSQLDoes) {
  const auto e = EstimateBloat(Table("t", 40000, 935), 8192);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->tuples_per_page, 107);  // (8192 − 24) / (72 + 4)
  EXPECT_EQ(e->expected_pages, 374);
  EXPECT_NEAR(e->wasted_ratio, 561.0 / 935.0, 1e-9);
  EXPECT_EQ(e->wasted_bytes, 561.0 * 8192);
}

TEST(EstimateBloat, HonoursTheHeapFillfactor) {
  model::BloatInputs b = Table("t", 40000, 935);
  b.fillfactor = 50;
  const auto e = EstimateBloat(b, 8192);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->tuples_per_page, 53);  // (8192 − 24 − 4096) / 76
}

TEST(EstimateBloat, CountsBtreeMetaLeafAndInnerPages) {
  const auto e = EstimateBloat(Index("i", 40000, 276), 8192);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->tuples_per_page, 366);         // (8192 − 40 − 819.2) / 20
  EXPECT_EQ(e->expected_pages, 1 + 110 + 1);  // meta + leaves + one inner page
  EXPECT_NEAR(e->wasted_ratio, (276.0 - 112) / 276, 1e-9);
}

TEST(EstimateBloat, NeverNegativeAndEmptyWithoutPages) {
  const auto e = EstimateBloat(Table("t", 40000, 300), 8192);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->wasted_pages, 0);
  EXPECT_EQ(e->wasted_ratio, 0);
  EXPECT_FALSE(EstimateBloat(Table("t", 0, 0), 8192).has_value());
}

TEST(BloatCheck, TableBloatBothSidesOfWarningAndCritical) {
  // 374 pages needed; waste of at least 10 MiB (1280 pages) in every case below.
  auto findings = Evaluate(Sample({Table("t", 40000 * 10, TablePagesFor(0.29) * 10)}));
  EXPECT_TRUE(findings.empty());
  findings = Evaluate(Sample({Table("t", 40000 * 10, TablePagesFor(0.30) * 10)}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "table.bloat");
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_EQ(*findings[0].threshold, 0.30);
  EXPECT_EQ(findings[0].object, "app.public.t");
  EXPECT_NE(findings[0].message.find("statistical estimate"), std::string::npos);
  EXPECT_NE(findings[0].evidence[0].find("not a measurement"), std::string::npos);
  EXPECT_EQ(findings[0].recommendation->sql, "VACUUM (ANALYZE) \"public\".\"t\";");
  EXPECT_NE(findings[0].recommendation->why.find("does not take locks"), std::string::npos);
  findings = Evaluate(Sample({Table("t", 40000 * 10, TablePagesFor(0.50) * 10)}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kCritical);
  EXPECT_NE(findings[0].recommendation->why.find("pg_repack"), std::string::npos);
  EXPECT_NE(findings[0].recommendation->why.find("ACCESS EXCLUSIVE"), std::string::npos);
}

TEST(BloatCheck, IgnoresWasteBelowMinBytes) {
  // 60 % of a 935-page table is 4.4 MB: under the 10 MiB default.
  EXPECT_TRUE(Evaluate(Sample({Table("t", 40000, 935)})).empty());
  // 1280 wasted pages are exactly 10 MiB.
  const auto findings = Evaluate(Sample({Table("t", 107 * 1000, 1000 + 1280)}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NEAR(*findings[0].value, 1280.0 / 2280.0, 1e-9);
}

TEST(BloatCheck, IndexBloatRecommendsAConcurrentReindex) {
  const auto findings = Evaluate(Sample({Index("orders_pkey", 400000, 2760)}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "index.bloat");
  EXPECT_EQ(findings[0].object, "app.public.orders_pkey");
  EXPECT_EQ(findings[0].severity, model::Severity::kCritical);
  EXPECT_EQ(findings[0].recommendation->sql,
            "REINDEX INDEX CONCURRENTLY \"public\".\"orders_pkey\";");
}

TEST(BloatCheck, SaysNothingWithoutTheBloatInputsPart) {
  model::Snapshot s = Sample({Table("t", 400000, 9350)});
  s.outcomes[0].status = model::CollectorStatus::kError;
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(BloatCheck, APerObjectOverrideRelaxesOneQueueTable) {
  ThresholdOverride o;
  o.key = "table.bloat";
  o.object_pattern = "app.public.queue";
  o.level.warning = 0.8;
  o.level.critical = 0.9;
  const auto findings = Evaluate(
      Sample({Table("queue", 400000, 9350), Table("orders", 400000, 9350)}), Thresholds({o}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].object, "app.public.orders");
}

TEST(BloatCheck, QuotesHostileNames) {
  model::BloatInputs t = Table("we\"ird", 400000, 9350);
  t.schemaname = "A b";
  model::BloatInputs i = Index("we\"ird_idx", 400000, 2760);
  i.schemaname = "A b";
  const auto findings = Evaluate(Sample({t, i}));
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].recommendation->sql, "VACUUM (ANALYZE) \"A b\".\"we\"\"ird\";");
  EXPECT_EQ(findings[1].recommendation->sql,
            "REINDEX INDEX CONCURRENTLY \"A b\".\"we\"\"ird_idx\";");
}

}  // namespace
}  // namespace pgvigil::analysis
