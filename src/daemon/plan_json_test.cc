// SPDX-License-Identifier: Apache-2.0
#include "daemon/plan_json.h"

#include <gtest/gtest.h>

namespace pgvigil::daemon {
namespace {

TEST(ParsePlanJson, ReadsTheNodesAnalysisJudges) {
  // As PostgreSQL 16 prints EXPLAIN (GENERIC_PLAN, FORMAT JSON), shortened.
  const auto plan = ParsePlanJson(R"([{"Plan": {
      "Node Type": "Sort", "Startup Cost": 2553.14, "Total Cost": 2553.20, "Plan Rows": 24,
      "Plan Width": 6, "Sort Key": ["note"],
      "Plans": [{"Node Type": "Index Scan", "Relation Name": "orders", "Alias": "o",
                 "Index Name": "<13556>btree_orders_customer_id", "Startup Cost": 0.42,
                 "Total Cost": 8.44, "Plan Rows": 24, "Plan Width": 6}]}}])");
  ASSERT_TRUE(plan.has_value()) << plan.error().message();
  EXPECT_EQ(plan->node_type, "Sort");
  EXPECT_DOUBLE_EQ(plan->total_cost, 2553.20);
  EXPECT_DOUBLE_EQ(plan->plan_rows, 24);
  ASSERT_EQ(plan->plans.size(), 1u);
  EXPECT_EQ(plan->plans[0].relation_name, "orders");
  EXPECT_EQ(plan->plans[0].alias, "o");
  EXPECT_EQ(plan->plans[0].index_name, "<13556>btree_orders_customer_id");
}

TEST(ParsePlanJson, RejectsWhatIsNotAnExplainPlan) {
  EXPECT_FALSE(ParsePlanJson("").has_value());
  EXPECT_FALSE(ParsePlanJson("[{\"Plan\": ").has_value());
  EXPECT_FALSE(ParsePlanJson("{\"Plan\": {}}").has_value());
  EXPECT_FALSE(ParsePlanJson("[{\"Plan\": {\"Plans\": [1]}}]").has_value());
}

}  // namespace
}  // namespace pgvigil::daemon
