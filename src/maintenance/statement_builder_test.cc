// SPDX-License-Identifier: Apache-2.0
#include "maintenance/statement_builder.h"

#include <gtest/gtest.h>

namespace pgvigil::maintenance {
namespace {

using model::IndexCleanup;
using model::MaintenanceOptions;
using model::OperationKind;

model::ResolvedRelation Relation(std::string schema, std::string name) {
  model::ResolvedRelation r;
  r.schema = std::move(schema);
  r.name = std::move(name);
  return r;
}

TEST(BuildStatement, VacuumWritesAnOptionListOnlyWhenThereAreOptions) {
  const auto t = Relation("public", "orders");
  MaintenanceOptions o;
  EXPECT_EQ(BuildStatement(OperationKind::kVacuum, t, o, 16), R"(VACUUM "public"."orders")");
  o.analyze = true;
  EXPECT_EQ(BuildStatement(OperationKind::kVacuum, t, o, 16),
            R"(VACUUM (ANALYZE) "public"."orders")");
  o.full = true;
  o.freeze = true;
  o.verbose = true;
  o.index_cleanup = IndexCleanup::kOff;
  EXPECT_EQ(BuildStatement(OperationKind::kVacuum, t, o, 13),
            R"(VACUUM (FULL, FREEZE, VERBOSE, ANALYZE, INDEX_CLEANUP OFF) "public"."orders")");
  o = {};
  o.index_cleanup = IndexCleanup::kOn;
  EXPECT_EQ(BuildStatement(OperationKind::kVacuum, t, o, 18),
            R"(VACUUM (INDEX_CLEANUP ON) "public"."orders")");
}

TEST(BuildStatement, IndexCleanupAutoIsNeverWrittenSoThirteenReadsIt) {
  MaintenanceOptions o;
  o.index_cleanup = IndexCleanup::kAuto;
  EXPECT_EQ(BuildStatement(OperationKind::kVacuum, Relation("s", "t"), o, 13), R"(VACUUM "s"."t")");
}

TEST(BuildStatement, AnalyzeAndReindex) {
  const auto t = Relation("s", "t");
  MaintenanceOptions o;
  EXPECT_EQ(BuildStatement(OperationKind::kAnalyze, t, o, 15), R"(ANALYZE "s"."t")");
  o.verbose = true;
  EXPECT_EQ(BuildStatement(OperationKind::kAnalyze, t, o, 15), R"(ANALYZE (VERBOSE) "s"."t")");
  EXPECT_EQ(BuildStatement(OperationKind::kReindexIndex, Relation("s", "i"), o, 13),
            R"(REINDEX (VERBOSE) INDEX CONCURRENTLY "s"."i")");
  o.verbose = false;
  EXPECT_EQ(BuildStatement(OperationKind::kReindexTable, t, o, 17),
            R"(REINDEX TABLE CONCURRENTLY "s"."t")");
  o.concurrently = false;
  EXPECT_EQ(BuildStatement(OperationKind::kReindexTable, t, o, 17), R"(REINDEX TABLE "s"."t")");
  o.concurrently = true;
  // Before 12 there is no CONCURRENTLY (not a supported major; the builder still says so).
  EXPECT_EQ(BuildStatement(OperationKind::kReindexIndex, Relation("s", "i"), o, 11),
            R"(REINDEX INDEX "s"."i")");
}

TEST(BuildStatement, HostileNamesStayOneQuotedIdentifier) {
  MaintenanceOptions o;
  EXPECT_EQ(BuildStatement(OperationKind::kVacuum, Relation("public", "a\"; DROP TABLE victim; --"),
                           o, 16),
            R"(VACUUM "public"."a""; DROP TABLE victim; --")");
  EXPECT_EQ(BuildStatement(OperationKind::kAnalyze, Relation("public", "\"quoted\""), o, 16),
            R"(ANALYZE "public"."""quoted""")");
  EXPECT_EQ(BuildStatement(OperationKind::kAnalyze, Relation("MiXeD", "select"), o, 16),
            R"(ANALYZE "MiXeD"."select")");
}

}  // namespace
}  // namespace pgvigil::maintenance
