// SPDX-License-Identifier: Apache-2.0
#include "daemon/exact_bloat.h"

#include <gtest/gtest.h>

namespace pgvigil::daemon {
namespace {

model::Snapshot TwoRelations() {
  model::Snapshot s;
  s.target = "t";
  model::BloatInputs table;
  table.datname = "app";
  table.relid = 100;
  table.schemaname = "public";
  table.relname = "orders";
  model::BloatInputs index = table;
  index.indexrelid = 101;
  index.indexrelname = "orders_pkey";
  s.bloat_inputs = {table, index};
  return s;
}

model::Finding Bloat(const std::string& id, const std::string& object, double value) {
  model::Finding f;
  f.id = id;
  f.severity = model::Severity::kCritical;
  f.object = object;
  f.value = value;
  f.unit = "ratio";
  return f;
}

TEST(FlaggedBloatOids, MapsBloatFindingsToTheirRelations) {
  const std::vector<model::Finding> findings = {
      Bloat("table.bloat", "app.public.orders", 0.6),
      Bloat("index.bloat", "app.public.orders_pkey", 0.6),
      Bloat("index.bloat", "app.public.gone", 0.6),
      Bloat("table.vacuum_overdue", "app.public.orders", 3),
  };
  EXPECT_EQ(FlaggedBloatOids(findings, TwoRelations()), (std::vector<std::uint32_t>{100, 101}));
}

TEST(AmendBloatFindings, ReplacesTheEstimateByTheMeasureAndClassifiesAgain) {
  std::vector<model::Finding> findings = {Bloat("table.bloat", "app.public.orders", 0.6),
                                          Bloat("index.bloat", "app.public.orders_pkey", 0.6)};
  model::ExactBloat table;
  table.oid = 100;
  table.relkind = "r";
  table.method = "pgstattuple_approx";
  table.wasted_ratio = 0.571;
  table.free_percent = 50.2;
  table.dead_percent = 6.9;
  model::ExactBloat index;
  index.oid = 101;
  index.relkind = "i";
  index.method = "pgstatindex";
  index.wasted_ratio = 0.1;
  index.avg_leaf_density = 81;
  index.fillfactor = 90;
  const std::vector<model::ExactBloat> measured = {table, index};
  AmendBloatFindings(findings, TwoRelations(), measured, analysis::Thresholds());

  EXPECT_DOUBLE_EQ(*findings[0].value, 0.571);
  EXPECT_EQ(findings[0].severity, model::Severity::kCritical);  // ≥ 50 %
  ASSERT_FALSE(findings[0].evidence.empty());
  EXPECT_EQ(findings[0].evidence.back().rfind(
                "measured by pgstattuple_approx: 57.1 % free or dead (estimate was 60.0 %)", 0),
            0u)
      << findings[0].evidence.back();
  EXPECT_NE(findings[0].message.find("measured by pgstattuple_approx"), std::string::npos);

  EXPECT_DOUBLE_EQ(*findings[1].value, 0.1);
  EXPECT_EQ(findings[1].severity, model::Severity::kOk);  // below 30 %
  EXPECT_FALSE(findings[1].threshold.has_value());
  EXPECT_EQ(findings[1].evidence.back().rfind("measured by pgstatindex: 10.0 % wasted", 0), 0u)
      << findings[1].evidence.back();
}

TEST(AmendBloatFindings, KeepsTheEstimateOfASkippedOrUnmeasuredRelation) {
  std::vector<model::Finding> findings = {Bloat("table.bloat", "app.public.orders", 0.6),
                                          Bloat("index.bloat", "app.public.orders_pkey", 0.6)};
  model::ExactBloat locked;
  locked.oid = 100;
  locked.skipped = "an ACCESS EXCLUSIVE lock is held or awaited on it";
  const std::vector<model::ExactBloat> measured = {locked};
  AmendBloatFindings(findings, TwoRelations(), measured, analysis::Thresholds());
  EXPECT_DOUBLE_EQ(*findings[0].value, 0.6);
  EXPECT_EQ(findings[0].severity, model::Severity::kCritical);
  EXPECT_EQ(findings[0].evidence.back(),
            "--exact: not measured: an ACCESS EXCLUSIVE lock is held or awaited on it");
  EXPECT_EQ(findings[1].evidence.back(), "--exact: not measured (the relation no longer exists)");

  std::vector<model::Finding> missing = {Bloat("table.bloat", "app.public.orders", 0.6)};
  AmendBloatFindings(missing, TwoRelations(), {}, analysis::Thresholds(),
                     "pgstattuple is not installed in database app (CREATE EXTENSION pgstattuple)");
  EXPECT_DOUBLE_EQ(*missing[0].value, 0.6);
  EXPECT_EQ(missing[0].evidence.back(),
            "--exact: pgstattuple is not installed in database app (CREATE EXTENSION pgstattuple)");
}

}  // namespace
}  // namespace pgvigil::daemon
