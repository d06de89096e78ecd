// SPDX-License-Identifier: Apache-2.0
#include "maintenance/auto_policy.h"

#include <gtest/gtest.h>

#include "model/finding_object.h"

namespace pgvigil::maintenance {
namespace {

using model::OperationKind;
using model::Severity;

model::Finding F(std::string id, std::string object, Severity severity, double value) {
  model::Finding f;
  f.id = std::move(id);
  f.object = std::move(object);
  f.severity = severity;
  f.value = value;
  f.target = "demo";
  return f;
}

AutoPolicyOptions On(int max = 10) {
  AutoPolicyOptions o;
  o.enabled = true;
  o.max_operations_per_run = max;
  return o;
}

std::vector<std::string> Describe(const std::vector<model::MaintenanceRequest>& requests) {
  std::vector<std::string> out;
  for (const auto& r : requests) {
    out.push_back(std::string(model::OperationKindName(r.kind)) + " " + r.database + "/" +
                  r.schema + "/" + r.object);
  }
  return out;
}

model::TableStats Table(std::string datname, std::string schema, std::string relname) {
  model::TableStats t;
  t.datname = std::move(datname);
  t.schemaname = std::move(schema);
  t.relname = std::move(relname);
  return t;
}

model::IndexStats Index(std::string datname, std::string schema, std::string relname,
                        std::string indexrelname) {
  model::IndexStats i;
  i.datname = std::move(datname);
  i.schemaname = std::move(schema);
  i.relname = std::move(relname);
  i.indexrelname = std::move(indexrelname);
  return i;
}

TEST(FindRelationByObject, WithoutTheRelationInTheSnapshotSplitsAtTheFirstTwoDots) {
  auto r = model::FindRelationByObject("app.public.orders", nullptr);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->database, "app");
  EXPECT_EQ(r->schema, "public");
  EXPECT_EQ(r->name, "orders");
  EXPECT_EQ(r->table, "orders");
  EXPECT_FALSE(r->is_index);
  r = model::FindRelationByObject("app.sales.v1.orders", nullptr);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->schema, "sales");
  EXPECT_EQ(r->name, "v1.orders");
  for (const char* bad :
       {"", "orders", "app.orders", ".public.orders", "app..orders", "app.public.", "pid 4242"}) {
    EXPECT_FALSE(model::FindRelationByObject(bad, nullptr).has_value()) << bad;
  }
}

TEST(FindRelationByObject, MatchesDottedNamesExactlyAgainstTheSnapshot) {
  model::Snapshot s;
  s.tables = {Table("app", "public", "orders"), Table("app", "sales.eu", "orders"),
              Table("app.v2", "public", "orders")};
  s.indexes = {Index("app", "sales.eu", "orders", "orders.v2_pkey")};
  auto r = model::FindRelationByObject("app.sales.eu.orders", &s);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->database, "app");
  EXPECT_EQ(r->schema, "sales.eu");
  EXPECT_EQ(r->name, "orders");
  r = model::FindRelationByObject("app.v2.public.orders", &s);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->database, "app.v2");
  EXPECT_EQ(r->schema, "public");
  r = model::FindRelationByObject("app.sales.eu.orders.v2_pkey", &s);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->schema, "sales.eu");
  EXPECT_EQ(r->name, "orders.v2_pkey");
  EXPECT_EQ(r->table, "orders");
  EXPECT_TRUE(r->is_index);
}

// The old policy split "app.sales.eu.orders" into schema "sales", table "eu.orders": a
// relation that does not exist (or, worse, another one that does).
TEST(PlanAutomaticMaintenance, ResolvesDottedSchemaAndTableNamesAgainstTheSnapshot) {
  model::Snapshot s;
  s.tables = {Table("app", "sales.eu", "orders"), Table("app", "public", "line.items")};
  s.indexes = {Index("app", "sales.eu", "orders", "orders.v2_pkey")};
  AutoPolicyInput in;
  in.inside_window = true;
  in.snapshot = &s;
  in.findings = {F("table.vacuum_overdue", "app.sales.eu.orders", Severity::kCritical, 3),
                 F("table.analyze_overdue", "app.public.line.items", Severity::kWarning, 2),
                 F("index.bloat", "app.sales.eu.orders.v2_pkey", Severity::kWarning, 0.6)};
  EXPECT_EQ(Describe(PlanAutomaticMaintenance(in, On())),
            (std::vector<std::string>{"vacuum app/sales.eu/orders", "analyze app/public/line.items",
                                      "reindex_index app/sales.eu/orders.v2_pkey"}));
}

TEST(PlanAutomaticMaintenance, DoesNothingWhenOffOrOutsideTheWindow) {
  AutoPolicyInput in;
  in.findings = {F("table.vacuum_overdue", "app.public.orders", Severity::kCritical, 3)};
  in.inside_window = true;
  EXPECT_TRUE(PlanAutomaticMaintenance(in, AutoPolicyOptions{}).empty());  // off by default
  in.inside_window = false;
  EXPECT_TRUE(PlanAutomaticMaintenance(in, On()).empty());
  in.inside_window = true;
  EXPECT_EQ(PlanAutomaticMaintenance(in, On()).size(), 1U);
  EXPECT_TRUE(PlanAutomaticMaintenance(in, On(0)).empty());
}

TEST(PlanAutomaticMaintenance, MapsFindingsToNonBlockingOperations) {
  AutoPolicyInput in;
  in.target = "demo";
  in.inside_window = true;
  in.findings = {F("table.vacuum_overdue", "app.public.orders", Severity::kWarning, 2),
                 F("table.analyze_overdue", "app.public.items", Severity::kWarning, 0.5),
                 F("index.bloat", "app.public.items_pkey", Severity::kWarning, 0.6),
                 F("table.bloat", "app.public.big", Severity::kCritical, 0.9),    // never FULL
                 F("index.unused", "app.public.idx_x", Severity::kWarning, 0),    // not ours
                 F("query.long_running", "pid 4242", Severity::kCritical, 600)};  // not ours
  const auto requests = PlanAutomaticMaintenance(in, On());
  ASSERT_EQ(requests.size(), 3U);
  EXPECT_EQ(Describe(requests),
            (std::vector<std::string>{"vacuum app/public/orders", "analyze app/public/items",
                                      "reindex_index app/public/items_pkey"}));
  EXPECT_TRUE(requests[0].options.analyze);
  EXPECT_FALSE(requests[0].options.full);
  EXPECT_TRUE(requests[2].options.concurrently);
  for (const auto& r : requests) {
    EXPECT_EQ(r.target, "demo");
    EXPECT_EQ(r.initiator, "policy");
    EXPECT_EQ(r.initiator_role, "policy");
    EXPECT_FALSE(r.force);
    EXPECT_FALSE(r.dry_run);
  }
  EXPECT_EQ(requests[0].reason, "policy: table.vacuum_overdue (warning)");
}

TEST(PlanAutomaticMaintenance, VacuumAnalyzeCoversAnalyzeAndDuplicatesAreOne) {
  AutoPolicyInput in;
  in.inside_window = true;
  in.findings = {F("table.analyze_overdue", "app.public.orders", Severity::kCritical, 5),
                 F("table.vacuum_overdue", "app.public.orders", Severity::kWarning, 2),
                 F("table.vacuum_overdue", "app.public.orders", Severity::kWarning, 2)};
  EXPECT_EQ(Describe(PlanAutomaticMaintenance(in, On())),
            (std::vector<std::string>{"vacuum app/public/orders"}));
}

TEST(PlanAutomaticMaintenance, MostSevereFirstAndBounded) {
  AutoPolicyInput in;
  in.inside_window = true;
  in.findings = {F("table.vacuum_overdue", "app.public.a", Severity::kWarning, 9),
                 F("index.bloat", "app.public.z_idx", Severity::kCritical, 0.5),
                 F("table.vacuum_overdue", "app.public.b", Severity::kCritical, 2),
                 F("table.vacuum_overdue", "app.public.c", Severity::kCritical, 4),
                 F("table.analyze_overdue", "app.public.d", Severity::kWarning, 1)};
  EXPECT_EQ(Describe(PlanAutomaticMaintenance(in, On())),
            (std::vector<std::string>{"vacuum app/public/c", "vacuum app/public/b",
                                      "reindex_index app/public/z_idx", "vacuum app/public/a",
                                      "analyze app/public/d"}));
  EXPECT_EQ(Describe(PlanAutomaticMaintenance(in, On(2))),
            (std::vector<std::string>{"vacuum app/public/c", "vacuum app/public/b"}));
  // The same findings in another order give the same plan.
  std::reverse(in.findings.begin(), in.findings.end());
  EXPECT_EQ(Describe(PlanAutomaticMaintenance(in, On(2))),
            (std::vector<std::string>{"vacuum app/public/c", "vacuum app/public/b"}));
}

TEST(PlanAutomaticMaintenance, SkipsWeakOrUnjudgedFindings) {
  AutoPolicyInput in;
  in.inside_window = true;
  in.findings = {F("table.vacuum_overdue", "app.public.a", Severity::kInfo, 1),
                 F("table.vacuum_overdue", "app.public.b", Severity::kWarning, 1),
                 F("table.vacuum_overdue", "not-a-relation", Severity::kCritical, 1)};
  in.findings[1].insufficient_data = true;
  EXPECT_TRUE(PlanAutomaticMaintenance(in, On()).empty());
  AutoPolicyOptions eager = On();
  eager.min_severity = Severity::kInfo;
  EXPECT_EQ(PlanAutomaticMaintenance(in, eager).size(), 1U);
}

TEST(PlanAutomaticMaintenance, RebuildsAnIndexOnlyAboveBothBloatThresholds) {
  AutoPolicyInput in;
  in.inside_window = true;
  in.findings = {F("index.bloat", "app.public.small_idx", Severity::kWarning, 0.5),
                 F("index.bloat", "app.public.big_idx", Severity::kWarning, 0.5),
                 F("index.bloat", "app.public.unknown_idx", Severity::kWarning, 0.5),
                 F("index.bloat", "app.public.thin_idx", Severity::kWarning, 0.2)};
  in.index_size_bytes = {{"app.public.small_idx", 1 << 20},
                         {"app.public.big_idx", 1 << 30},
                         {"app.public.thin_idx", 1 << 30}};
  AutoPolicyOptions o = On();
  o.reindex_bloat_threshold_ratio = 0.3;
  o.reindex_bloat_threshold_bytes = 64 << 20;  // 64 MiB wasted
  EXPECT_EQ(Describe(PlanAutomaticMaintenance(in, o)),
            (std::vector<std::string>{"reindex_index app/public/big_idx",
                                      "reindex_index app/public/unknown_idx"}));
}

}  // namespace
}  // namespace pgvigil::maintenance
