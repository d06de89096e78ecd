// SPDX-License-Identifier: Apache-2.0
// The runner's refusals that need no server; the rest is tests/integration/recovery_*.
#include <gtest/gtest.h>

#include "maintenance/recovery.h"

namespace pgvigil::maintenance {
namespace {

TEST(RecoveryRunner, RefusesAnInvalidRequestBeforeConnecting) {
  auto runner = MakeRecoveryRunner(common::SystemClock::Instance());
  RecoveryRequest request;
  request.target = "demo";
  request.initiator = "ops-token";
  request.cancel_running_longer_than_s = -5;
  PlanContext context;
  context.dsn = "host=127.0.0.1 port=1 password=hunter2";  // never reached
  const model::MaintenanceOperation op = runner->Plan(request, context);
  EXPECT_EQ(op.kind, model::OperationKind::kRecovery);
  EXPECT_EQ(op.state, model::OperationState::kRefused);
  EXPECT_EQ(op.target, "demo");
  EXPECT_EQ(op.initiator, "ops-token");
  EXPECT_NE(op.message.find("cancel_running_longer_than_s"), std::string::npos) << op.message;
  EXPECT_TRUE(op.backends.empty());
  EXPECT_TRUE(op.sql.empty());
}

TEST(RecoveryRunner, RefusesWhenTheServerCannotBeReachedWithoutLeakingThePassword) {
  auto runner = MakeRecoveryRunner(common::SystemClock::Instance());
  RecoveryRequest request;
  request.terminate_idle_longer_than_s = 60;
  PlanContext context;
  context.dsn = "host=127.0.0.1 port=1 connect_timeout=2 user=x password=hunter2";
  const model::MaintenanceOperation op = runner->Plan(request, context);
  EXPECT_EQ(op.state, model::OperationState::kRefused);
  EXPECT_TRUE(op.message.starts_with("connect: ")) << op.message;
  EXPECT_EQ(op.message.find("hunter2"), std::string::npos) << op.message;
}

TEST(RecoveryRunner, ExecuteLeavesARefusedOperationAlone) {
  auto runner = MakeRecoveryRunner(common::SystemClock::Instance());
  model::MaintenanceOperation refused;
  refused.kind = model::OperationKind::kRecovery;
  refused.state = model::OperationState::kRefused;
  refused.backends.push_back({});
  refused.backends[0].pid = 42;
  refused.backends[0].action = "terminate";
  const model::MaintenanceOperation after = runner->Execute(refused, PlanContext{});
  EXPECT_EQ(after.state, model::OperationState::kRefused);
  EXPECT_TRUE(after.backends[0].outcome.empty());
  EXPECT_FALSE(after.started_at.has_value());
}

}  // namespace
}  // namespace pgvigil::maintenance
