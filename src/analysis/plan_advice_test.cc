// SPDX-License-Identifier: Apache-2.0
#include "analysis/plan_advice.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

model::PlanNode Node(std::string type, double rows, double width,
                     std::vector<model::PlanNode> children = {}) {
  model::PlanNode n;
  n.node_type = std::move(type);
  n.plan_rows = rows;
  n.plan_width = width;
  n.total_cost = 1000;
  n.plans = std::move(children);
  return n;
}

model::PlanNode Scan(std::string type, std::string table, double rows) {
  model::PlanNode n = Node(std::move(type), rows, 8);
  n.relation_name = std::move(table);
  return n;
}

model::Snapshot WithTables() {
  model::Snapshot s;
  for (auto [name, rows] : {std::pair{"orders", 500000}, std::pair{"small", 100}}) {
    model::TableStats t;
    t.datname = "app";
    t.schemaname = "public";
    t.relname = name;
    t.n_live_tup = rows;
    s.tables.push_back(t);
  }
  s.settings.push_back({"work_mem", "4096", "kB", "integer", "default"});
  s.settings.push_back({"hash_mem_multiplier", "2", "", "real", "default"});
  return s;
}

model::QueryPlan Plan(model::PlanNode root) {
  return model::QueryPlan{42, "app", std::move(root), ""};
}

TEST(AdviseOnPlan, FlagsASequentialScanOfALargeTableOnly) {
  const model::Snapshot s = WithTables();
  const PlanAdvice a =
      AdviseOnPlan(Plan(Node("Nested Loop", 10, 16,
                             {Scan("Seq Scan", "orders", 10), Scan("Seq Scan", "small", 1)})),
                   s, {}, std::nullopt);
  ASSERT_EQ(a.names, std::vector<std::string>{"sequential scan of a large table"});
  ASSERT_EQ(a.lines.size(), 1u);
  EXPECT_NE(a.lines[0].find("plan: Seq Scan on orders (500000 rows in the table, 10 estimated"),
            std::string::npos)
      << a.lines[0];
  // Another database's table of that name is not this one.
  model::QueryPlan other = Plan(Scan("Seq Scan", "orders", 10));
  other.datname = "other";
  EXPECT_TRUE(AdviseOnPlan(other, s, {}, std::nullopt).names.empty());
}

TEST(AdviseOnPlan, FlagsASortOrHashAboveWorkMemButNotATopNSort) {
  const model::Snapshot s = WithTables();
  // 100,000 rows × (100 + 40) bytes ≈ 13 MB > 4 MB.
  const PlanAdvice sort = AdviseOnPlan(
      Plan(Node("Sort", 100000, 100, {Scan("Index Scan", "orders", 100000)})), s, {}, std::nullopt);
  ASSERT_EQ(sort.names, std::vector<std::string>{"sort or hash larger than work_mem"});
  EXPECT_NE(sort.lines[0].find("above work_mem (4.0 MB)"), std::string::npos) << sort.lines[0];
  // 50,000 × (100 + 48) ≈ 7 MB: under work_mem × hash_mem_multiplier (8 MB), over work_mem.
  EXPECT_TRUE(AdviseOnPlan(Plan(Node("Hash", 50000, 100)), s, {}, std::nullopt).names.empty());
  EXPECT_FALSE(AdviseOnPlan(Plan(Node("Sort", 50000, 100)), s, {}, std::nullopt).names.empty());
  EXPECT_TRUE(
      AdviseOnPlan(Plan(Node("Limit", 10, 100, {Node("Sort", 100000, 100)})), s, {}, std::nullopt)
          .names.empty());
  model::Snapshot no_settings = s;
  no_settings.settings.clear();
  EXPECT_TRUE(
      AdviseOnPlan(Plan(Node("Sort", 100000, 100)), no_settings, {}, std::nullopt).names.empty());
}

TEST(AdviseOnPlan, FlagsANestedLoopOnlyWhenTheMeasuredRowsDwarfTheEstimate) {
  const model::Snapshot s = WithTables();
  const model::QueryPlan plan = Plan(Node(
      "Nested Loop", 5, 16, {Scan("Index Scan", "small", 5), Scan("Index Scan", "orders", 1)}));
  EXPECT_TRUE(AdviseOnPlan(plan, s, {}, std::nullopt).names.empty());
  EXPECT_TRUE(AdviseOnPlan(plan, s, {}, 40.0).names.empty());
  const PlanAdvice miss = AdviseOnPlan(plan, s, {}, 20000.0);
  ASSERT_EQ(miss.names, std::vector<std::string>{"nested loop on a row-estimate miss"});
  EXPECT_NE(miss.lines[0].find("estimated to return 5 rows, while pg_stat_statements measured "
                               "20000 rows per call"),
            std::string::npos)
      << miss.lines[0];
}

TEST(PlanUsesIndex, FindsTheIndexAnywhereInThePlan) {
  model::PlanNode scan = Scan("Index Scan", "orders", 1);
  scan.index_name = "<13556>btree_orders_customer_id";
  const model::PlanNode root = Node("Limit", 1, 8, {Node("Sort", 1, 8, {scan})});
  EXPECT_TRUE(PlanUsesIndex(root, "<13556>btree_orders_customer_id"));
  EXPECT_FALSE(PlanUsesIndex(root, "<13557>btree_orders_customer_id"));
  EXPECT_FALSE(PlanUsesIndex(root, ""));
}

}  // namespace
}  // namespace pgvigil::analysis
