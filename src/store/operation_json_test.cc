// SPDX-License-Identifier: Apache-2.0
#include "store/operation_json.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace pgvigil::store {
namespace {

TEST(OperationJson, HasTheApiShapeWithNullsForWhatIsUnknown) {
  model::MaintenanceOperation op;
  op.kind = model::OperationKind::kVacuum;
  op.object = "public.orders";
  op.options.analyze = true;
  op.sql = R"(VACUUM (ANALYZE) "public"."orders")";
  op.guards = {{"object_exists", model::GuardOutcome::kPass, "found"},
               {"superuser_role", model::GuardOutcome::kWarn, "superuser"}};
  op.state = model::OperationState::kCompleted;
  op.created_at = common::TimestampFromEpochSeconds(1'795'000'000);
  op.started_at = op.created_at;
  op.finished_at = op.created_at + std::chrono::milliseconds(1500);
  op.before.dead_tuples = 10;
  op.lock_attempts = 2;
  const nlohmann::json j = nlohmann::json::parse(OperationJsonText(op));
  EXPECT_EQ(j["operation"], "vacuum");
  EXPECT_EQ(j["object"], "public.orders");
  EXPECT_EQ(j["options"]["analyze"], true);
  EXPECT_EQ(j["options"]["index_cleanup"], "auto");
  EXPECT_EQ(j["options"]["concurrently"], true);
  EXPECT_EQ(j["sql"], op.sql);
  EXPECT_EQ(j["sql_params"], nlohmann::json::array());  // VACUUM binds nothing
  ASSERT_EQ(j["guards"].size(), 2u);
  EXPECT_EQ(j["guards"][1]["guard"], "superuser_role");
  EXPECT_EQ(j["guards"][1]["outcome"], "warn");
  EXPECT_EQ(j["state"], "completed");
  EXPECT_DOUBLE_EQ(j["duration_s"].get<double>(), 1.5);
  EXPECT_EQ(j["before"]["dead_tuples"], 10);
  EXPECT_TRUE(j["before"]["size_bytes"].is_null());
  EXPECT_TRUE(j["after"]["dead_tuples"].is_null());
  EXPECT_EQ(j["lock_attempts"], 2);
  EXPECT_TRUE(j["progress"].is_null());
  EXPECT_TRUE(j["backends"].is_array());
  EXPECT_EQ(j["created_at"], common::FormatTimestamp(op.created_at));
}

TEST(OperationJson, ANameThatIsNotUtf8DoesNotThrow) {
  model::MaintenanceOperation op;
  op.object = "public.bad\xff";
  op.state = model::OperationState::kRefused;
  const nlohmann::json j = nlohmann::json::parse(OperationJsonText(op));
  EXPECT_EQ(j["state"], "refused");
  EXPECT_TRUE(j["started_at"].is_null());
  EXPECT_TRUE(j["duration_s"].is_null());
}

}  // namespace
}  // namespace pgvigil::store
