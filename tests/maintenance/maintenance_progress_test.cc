// SPDX-License-Identifier: Apache-2.0
// A slow VACUUM (its role throttled by vacuum_cost_delay) run by a non-superuser that owns the
// table: progress arrives from pg_stat_progress_vacuum while it runs, and a cancel request
// stops it on the server.
#include "maintenance/maintenance_support.h"

namespace pgvigil::testing {
namespace {

using model::GuardOutcome;
using model::OperationKind;
using model::OperationState;

TEST(MaintenanceProgress, ReportsProgressAndCancelsARunningVacuum) {
  const std::string role = UniqueName("mt_role");
  const std::string t = UniqueName("mt_slow");
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE ROLE " + role + " LOGIN");
  ScopeExit drop_role([&] {
    admin.Exec("DROP TABLE IF EXISTS " + t);
    admin.Exec("DROP ROLE IF EXISTS " + role);
  });
  // Every page costs at least 1 and the budget is 1: a 20 ms nap per page, so ~450 pages take
  // about 9 s unless cancelled.
  admin.Exec("ALTER ROLE " + role + " SET vacuum_cost_delay = '20ms'");
  admin.Exec("ALTER ROLE " + role + " SET vacuum_cost_limit = 1");
  admin.Exec("CREATE TABLE " + t + " (id int) WITH (autovacuum_enabled = off)");
  admin.Exec("ALTER TABLE " + t + " OWNER TO " + role);
  admin.Exec("INSERT INTO " + t + " SELECT g FROM generate_series(1, 100000) g");

  // The sandbox trusts local connections: the role needs no password over the socket.
  const std::string dsn = "host=" + Sandbox().dir + " port=" + std::to_string(Sandbox().port) +
                          " dbname=pgvigil_test user=" + role;
  const auto policy = ShortLockPolicy();
  auto runner = maintenance::MakeOperationRunner(common::SystemClock::Instance());
  auto planned = runner->Plan(RequestFor(OperationKind::kVacuum, t), ContextFor(policy, dsn));
  ASSERT_EQ(planned.state, OperationState::kPlanned) << Describe(planned);
  EXPECT_EQ(FindGuard(planned, "privilege")->outcome, GuardOutcome::kPass);  // the owner
  EXPECT_EQ(FindGuard(planned, "superuser_role")->outcome, GuardOutcome::kPass);

  maintenance::CancelFlag cancel;
  std::vector<model::OperationProgress> seen;
  maintenance::ExecutionObserver observer;
  observer.on_progress = [&](const model::MaintenanceOperation& op) {
    ASSERT_TRUE(op.progress.has_value());
    seen.push_back(*op.progress);
    if (seen.size() == 2) cancel.Request();
  };
  const auto t0 = std::chrono::steady_clock::now();
  auto done = runner->Execute(planned, ContextFor(policy, dsn), observer, cancel);
  const auto elapsed = std::chrono::steady_clock::now() - t0;

  EXPECT_EQ(done.state, OperationState::kCancelled) << Describe(done);
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen[0].phase, "scanning heap");
  ASSERT_TRUE(seen[1].percent.has_value());
  EXPECT_GT(*seen[1].percent, 0.0);
  EXPECT_LT(*seen[1].percent, 100.0);
  EXPECT_LT(elapsed, std::chrono::seconds(6));  // stopped, not run to its end (~9 s)
  // Nothing of it runs on the server any more.
  EXPECT_TRUE(Eventually([&] {
    return admin.Exec("SELECT count(*) FROM pg_stat_progress_vacuum WHERE relid = '" + t +
                      "'::regclass") == "0";
  }));
}

}  // namespace
}  // namespace pgvigil::testing
