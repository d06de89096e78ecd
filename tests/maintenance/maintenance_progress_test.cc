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

// REINDEX CONCURRENTLY waits for transactions older than its new index before it swaps; an
// old REPEATABLE READ snapshot keeps it there. Cancelled in that phase, it leaves its invalid
// *_ccnew index behind: the outcome names it, it is not dropped, and the next plan warns.
TEST(MaintenanceProgress, AnInterruptedReindexConcurrentlyReportsItsLeftoverIndex) {
  const std::string t = UniqueName("mt_ccnew");
  const std::string index = t + "_idx";
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE TABLE " + t + " (id int)");
  ScopeExit drop([&] { admin.Exec("DROP TABLE IF EXISTS " + t); });
  admin.Exec("INSERT INTO " + t + " SELECT g FROM generate_series(1, 1000) g");
  admin.Exec("CREATE INDEX " + index + " ON " + t + " (id)");
  TestConnection old_snapshot(Sandbox().admin_dsn);
  old_snapshot.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
  old_snapshot.Exec("SELECT count(*) FROM pg_class");  // takes the snapshot

  const auto policy = ShortLockPolicy();
  auto runner = maintenance::MakeOperationRunner(common::SystemClock::Instance());
  auto planned = runner->Plan(RequestFor(OperationKind::kReindexIndex, index), ContextFor(policy));
  ASSERT_EQ(planned.state, OperationState::kPlanned) << Describe(planned);
  maintenance::CancelFlag cancel;
  std::vector<std::string> phases;
  maintenance::ExecutionObserver observer;
  observer.on_progress = [&](const model::MaintenanceOperation& op) {
    phases.push_back(op.progress->phase);
    if (op.progress->phase.find("old snapshots") != std::string::npos) cancel.Request();
  };
  auto done = runner->Execute(planned, ContextFor(policy), observer, cancel);
  old_snapshot.Exec("ROLLBACK");
  EXPECT_EQ(done.state, OperationState::kCancelled) << Describe(done);
  ASSERT_FALSE(phases.empty());
  EXPECT_NE(phases.back().find("old snapshots"), std::string::npos) << phases.back();
  EXPECT_NE(done.message.find(index + "_ccnew"), std::string::npos) << done.message;
  // Not dropped: still there, invalid.
  EXPECT_EQ(admin.Exec("SELECT count(*) FROM pg_index WHERE indrelid = '" + t +
                       "'::regclass AND NOT indisvalid"),
            "1");
  auto again = runner->Plan(RequestFor(OperationKind::kReindexIndex, index), ContextFor(policy));
  EXPECT_EQ(again.state, OperationState::kPlanned) << Describe(again);  // a warning only
  const model::GuardVerdict* g = FindGuard(again, "invalid_index");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->outcome, GuardOutcome::kWarn);
  EXPECT_NE(g->detail.find(index + "_ccnew"), std::string::npos) << g->detail;
}

// A VACUUM that someone else runs on the table (here a throttled manual one; autovacuum shows
// the same way) refuses pgvigil's operation through pg_stat_progress_vacuum.
TEST(MaintenanceProgress, AVacuumRunningOnTheServerRefusesAnother) {
  const std::string t = UniqueName("mt_busy");
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE TABLE " + t + " (id int) WITH (autovacuum_enabled = off)");
  ScopeExit drop([&] { admin.Exec("DROP TABLE IF EXISTS " + t); });
  admin.Exec("INSERT INTO " + t + " SELECT g FROM generate_series(1, 100000) g");
  TestConnection other(Sandbox().admin_dsn);
  other.Exec("SET vacuum_cost_delay = '20ms'");
  other.Exec("SET vacuum_cost_limit = 1");
  other.Send("VACUUM " + t);
  const std::string progress_sql =
      "SELECT count(*) FROM pg_stat_progress_vacuum WHERE relid = '" + t + "'::regclass";
  ASSERT_TRUE(Eventually([&] { return admin.Exec(progress_sql) == "1"; }));

  const auto policy = ShortLockPolicy();
  auto runner = maintenance::MakeOperationRunner(common::SystemClock::Instance());
  for (OperationKind kind : {OperationKind::kVacuum, OperationKind::kAnalyze}) {
    auto op = runner->Plan(RequestFor(kind, t), ContextFor(policy));
    EXPECT_EQ(op.state, OperationState::kRefused) << Describe(op);
    const model::GuardVerdict* g = FindGuard(op, "no_conflict_server");
    ASSERT_NE(g, nullptr) << Describe(op);
    EXPECT_EQ(g->outcome, GuardOutcome::kRefuse);
    EXPECT_NE(g->detail.find("VACUUM (pid " + std::to_string(other.backend_pid())),
              std::string::npos)
        << g->detail;
  }
  other.Cancel();
}

}  // namespace
}  // namespace pgvigil::testing
