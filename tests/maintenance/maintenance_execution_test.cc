// SPDX-License-Identifier: Apache-2.0
// The engine executing real operations on the sandbox: VACUUM removes dead tuples, REINDEX
// CONCURRENTLY leaves a valid new index, lock_timeout retries keep the lock queue short, two
// runners never work on one table, blocking operations need the window or force.
#include <future>
#include <thread>

#include "maintenance/maintenance_support.h"

namespace pgvigil::testing {
namespace {

using model::GuardOutcome;
using model::OperationKind;
using model::OperationState;
using Steady = std::chrono::steady_clock;

std::unique_ptr<maintenance::OperationRunner> Runner() {
  return maintenance::MakeOperationRunner(common::SystemClock::Instance());
}

long long Number(const std::string& text) { return text.empty() ? -1 : std::stoll(text); }

TEST(MaintenanceExecution, VacuumLowersTheDeadTuples) {
  const std::string t = UniqueName("mt_vacuum");
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE TABLE " + t + " (id int) WITH (autovacuum_enabled = off)");
  ScopeExit drop([&] { admin.Exec("DROP TABLE IF EXISTS " + t); });
  admin.Exec("INSERT INTO " + t + " SELECT g FROM generate_series(1, 20000) g");
  admin.Exec("DELETE FROM " + t + " WHERE id % 2 = 0");
  FlushStats(admin);
  const std::string dead_sql =
      "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = '" + t + "'::regclass";
  ASSERT_TRUE(Eventually([&] { return Number(admin.Exec(dead_sql)) >= 10000; }))
      << admin.Exec(dead_sql);

  const auto policy = ShortLockPolicy();
  auto runner = Runner();
  auto request = RequestFor(OperationKind::kVacuum, t);
  request.options.analyze = true;
  auto planned = runner->Plan(request, ContextFor(policy));
  ASSERT_EQ(planned.state, OperationState::kPlanned) << Describe(planned);
  EXPECT_EQ(planned.sql, "VACUUM (ANALYZE) \"public\".\"" + t + "\"");
  EXPECT_EQ(planned.object, "public." + t);
  int started = 0;
  maintenance::ExecutionObserver observer;
  observer.on_started = [&](const model::MaintenanceOperation& op) {
    ++started;
    EXPECT_EQ(op.state, OperationState::kRunning);
  };
  maintenance::CancelFlag cancel;
  auto done = runner->Execute(planned, ContextFor(policy), observer, cancel);
  ASSERT_EQ(done.state, OperationState::kCompleted) << Describe(done);
  EXPECT_EQ(started, 1);
  EXPECT_EQ(done.lock_attempts, 1);
  ASSERT_TRUE(done.started_at.has_value());
  ASSERT_TRUE(done.finished_at.has_value());
  EXPECT_GE(done.before.dead_tuples.value_or(0), 10000);
  EXPECT_GT(done.before.size_bytes.value_or(0), 0);
  // Read back from the server, not from the runner's own figures.
  ASSERT_TRUE(Eventually([&] { return Number(admin.Exec(dead_sql)) == 0; }))
      << admin.Exec(dead_sql);
  EXPECT_LT(done.after.dead_tuples.value_or(1 << 30), done.before.dead_tuples.value_or(0));
}

TEST(MaintenanceExecution, ReindexConcurrentlyBuildsANewValidIndex) {
  const std::string t = UniqueName("mt_reindex");
  const std::string index = t + "_idx";
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE TABLE " + t + " (id int)");
  ScopeExit drop([&] { admin.Exec("DROP TABLE IF EXISTS " + t); });
  admin.Exec("INSERT INTO " + t + " SELECT g FROM generate_series(1, 5000) g");
  admin.Exec("CREATE INDEX " + index + " ON " + t + " (id)");
  const std::string filenode_sql =
      "SELECT relfilenode FROM pg_class WHERE relname = '" + index + "'";
  const std::string before = admin.Exec(filenode_sql);

  const auto policy = ShortLockPolicy();
  auto runner = Runner();
  auto planned = runner->Plan(RequestFor(OperationKind::kReindexIndex, index), ContextFor(policy));
  ASSERT_EQ(planned.state, OperationState::kPlanned) << Describe(planned);
  EXPECT_EQ(planned.sql, "REINDEX INDEX CONCURRENTLY \"public\".\"" + index + "\"");
  ASSERT_TRUE(planned.relation.has_value());
  EXPECT_EQ(planned.relation->table_name, t);
  maintenance::CancelFlag cancel;
  auto done = runner->Execute(planned, ContextFor(policy), {}, cancel);
  ASSERT_EQ(done.state, OperationState::kCompleted) << Describe(done);

  const std::string after = admin.Exec(filenode_sql);
  EXPECT_NE(after, before);  // rebuilt: a new file
  EXPECT_EQ(admin.Exec("SELECT indisvalid::text FROM pg_index WHERE indexrelid = '" + index +
                       "'::regclass"),
            "true");
  EXPECT_EQ(admin.Exec("SELECT count(*) FROM pg_index WHERE indrelid = '" + t +
                       "'::regclass AND NOT indisvalid"),
            "0");  // no *_ccnew left behind
}

// Another session holds ACCESS SHARE on the table (an open transaction that read it), so the
// VACUUM FULL (ACCESS EXCLUSIVE) waits in the lock queue; application queries arriving then
// queue behind it. Each try gives up after lock_timeout, so none of them waits longer.
TEST(MaintenanceExecution, GivesUpAfterLockAttemptsAndNeverHoldsApplicationQueriesLong) {
  const std::string t = UniqueName("mt_lock");
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE TABLE " + t + " (id int)");
  ScopeExit drop([&] { admin.Exec("DROP TABLE IF EXISTS " + t); });
  admin.Exec("INSERT INTO " + t + " SELECT g FROM generate_series(1, 100) g");
  TestConnection holder(Sandbox().admin_dsn);
  holder.Exec("BEGIN");
  holder.Exec("SELECT count(*) FROM " + t);  // ACCESS SHARE until the end of the transaction

  const auto policy = ShortLockPolicy();  // 3 tries of 200 ms, 300 ms apart
  auto runner = Runner();
  auto request = RequestFor(OperationKind::kVacuum, t);
  request.options.full = true;
  request.force = true;  // blocking, outside any window: forced, with a reason
  request.reason = "lock test";
  auto planned = runner->Plan(request, ContextFor(policy));
  ASSERT_EQ(planned.state, OperationState::kPlanned) << Describe(planned);

  // The application: one connection that keeps reading the table while the operation runs,
  // timing each read.
  std::atomic<bool> stop{false};
  std::atomic<bool> started{false};
  auto app = std::async(std::launch::async, [&] {
    TestConnection c(Sandbox().admin_dsn);
    std::vector<std::chrono::milliseconds> waits;
    while (!started.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    while (!stop.load()) {
      const auto t0 = Steady::now();
      c.Exec("SELECT count(*) FROM " + t);
      waits.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - t0));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return waits;
  });
  maintenance::ExecutionObserver observer;
  observer.on_started = [&](const model::MaintenanceOperation&) { started = true; };
  maintenance::CancelFlag cancel;
  const auto t0 = Steady::now();
  auto done = runner->Execute(planned, ContextFor(policy), observer, cancel);
  const auto elapsed = Steady::now() - t0;
  started = true;
  stop = true;
  const auto waits = app.get();
  holder.Exec("ROLLBACK");

  EXPECT_EQ(done.state, OperationState::kFailed) << Describe(done);
  EXPECT_EQ(done.sqlstate, "55P03");
  EXPECT_EQ(done.lock_attempts, 3);
  // 3 × 200 ms in the queue + 2 × 300 ms between: at least 1.2 s, and not much more.
  EXPECT_GE(elapsed, std::chrono::milliseconds(1150));
  EXPECT_LT(elapsed, std::chrono::milliseconds(5000));
  ASSERT_GE(waits.size(), 5u);  // the application kept running meanwhile
  std::chrono::milliseconds longest{0};
  for (auto w : waits) longest = std::max(longest, w);
  RecordProperty("longest_application_wait_ms", static_cast<int>(longest.count()));
  RecordProperty(
      "operation_ms",
      static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
  // At most one lock_timeout step (200 ms) behind the operation, plus scheduling slack; and
  // some read did queue behind it (else the bound would say nothing).
  EXPECT_LT(longest, std::chrono::milliseconds(200 + 150)) << "longest application wait";
  EXPECT_GT(longest, std::chrono::milliseconds(50)) << "no application read queued behind it";
  // The table is untouched and unlocked.
  EXPECT_EQ(admin.Exec("SELECT count(*) FROM " + t), "100");
}

// The first runner's VACUUM FULL keeps retrying its lock (another session holds the table);
// meanwhile a second runner on the same table is refused, by plan and by execution.
TEST(MaintenanceExecution, ASecondOperationOnTheSameTableIsRefused) {
  const std::string t = UniqueName("mt_twice");
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE TABLE " + t + " (id int)");
  ScopeExit drop([&] { admin.Exec("DROP TABLE IF EXISTS " + t); });
  TestConnection holder(Sandbox().admin_dsn);
  holder.Exec("BEGIN");
  holder.Exec("SELECT count(*) FROM " + t);

  auto slow_policy = ShortLockPolicy();
  slow_policy.lock_attempts = 8;  // ≈ 8 × 200 + 7 × 300 ms = 3.7 s of retrying
  const auto policy = ShortLockPolicy();
  auto first_runner = Runner();
  auto second_runner = Runner();
  auto full = RequestFor(OperationKind::kVacuum, t);
  full.options.full = true;
  full.force = true;
  full.reason = "conflict test";
  auto first = first_runner->Plan(full, ContextFor(slow_policy));
  ASSERT_EQ(first.state, OperationState::kPlanned) << Describe(first);
  // Planned before the first one runs: its plan passes; its execution must not.
  auto early_second =
      second_runner->Plan(RequestFor(OperationKind::kVacuum, t), ContextFor(policy));
  ASSERT_EQ(early_second.state, OperationState::kPlanned) << Describe(early_second);

  std::promise<void> running;
  maintenance::ExecutionObserver observer;
  observer.on_started = [&](const model::MaintenanceOperation&) { running.set_value(); };
  maintenance::CancelFlag cancel;
  auto first_done = std::async(std::launch::async, [&] {
    return first_runner->Execute(first, ContextFor(slow_policy), observer, cancel);
  });
  ASSERT_EQ(running.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);

  auto second = second_runner->Plan(RequestFor(OperationKind::kVacuum, t), ContextFor(policy));
  EXPECT_EQ(second.state, OperationState::kRefused) << Describe(second);
  const model::GuardVerdict* g = FindGuard(second, "no_conflict_pgvigil");
  ASSERT_NE(g, nullptr) << Describe(second);
  EXPECT_EQ(g->outcome, GuardOutcome::kRefuse);

  maintenance::CancelFlag no_cancel;
  auto executed = second_runner->Execute(early_second, ContextFor(policy), {}, no_cancel);
  EXPECT_EQ(executed.state, OperationState::kRefused) << Describe(executed);
  ASSERT_NE(FindGuard(executed, "no_conflict_pgvigil"), nullptr) << Describe(executed);

  // The daemon's own registry refuses too, without asking the server for locks.
  auto context = ContextFor(policy);
  context.busy_in_pgvigil = [&](std::uint32_t oid) { return oid == first.relation->table_oid; };
  auto busy = second_runner->Plan(RequestFor(OperationKind::kAnalyze, t), context);
  EXPECT_EQ(busy.state, OperationState::kRefused) << Describe(busy);

  // A cancel ends the first one early, as kCancelled.
  cancel.Request();
  auto first_result = first_done.get();
  EXPECT_EQ(first_result.state, OperationState::kCancelled) << Describe(first_result);
  holder.Exec("ROLLBACK");
}

TEST(MaintenanceExecution, VacuumFullOutsideTheWindowNeedsForceAndAReason) {
  const std::string t = UniqueName("mt_window");
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE TABLE " + t + " (id int)");
  ScopeExit drop([&] { admin.Exec("DROP TABLE IF EXISTS " + t); });
  admin.Exec("INSERT INTO " + t + " SELECT g FROM generate_series(1, 1000) g");

  auto policy = ShortLockPolicy();
  // A window that never contains now: one hour, starting two hours from now.
  const auto now = common::SystemClock::Instance().Now();
  const int minute = static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(
                                          now - std::chrono::floor<std::chrono::days>(now))
                                          .count());
  policy.windows = {maintenance::Window{0x7f, (minute + 120) % 1440, (minute + 180) % 1440}};
  auto runner = Runner();
  auto request = RequestFor(OperationKind::kVacuum, t);
  request.options.full = true;
  auto refused = runner->Plan(request, ContextFor(policy));
  EXPECT_EQ(refused.state, OperationState::kRefused) << Describe(refused);
  ASSERT_NE(FindGuard(refused, "maintenance_window"), nullptr);
  EXPECT_EQ(FindGuard(refused, "maintenance_window")->outcome, GuardOutcome::kRefuse);
  EXPECT_NE(refused.message.find("maintenance_window"), std::string::npos) << refused.message;

  request.force = true;  // without a reason: not even planned
  auto no_reason = runner->Plan(request, ContextFor(policy));
  EXPECT_EQ(no_reason.state, OperationState::kRefused);
  EXPECT_EQ(FindGuard(no_reason, "valid_name")->outcome, GuardOutcome::kRefuse);

  request.reason = "bloat after a bulk delete";
  auto forced = runner->Plan(request, ContextFor(policy));
  ASSERT_EQ(forced.state, OperationState::kPlanned) << Describe(forced);
  EXPECT_TRUE(forced.forced);
  EXPECT_EQ(forced.reason, "bloat after a bulk delete");
  EXPECT_EQ(FindGuard(forced, "maintenance_window")->outcome, GuardOutcome::kWarn);
  const std::string filenode_sql =
      "SELECT relfilenode FROM pg_class WHERE oid = '" + t + "'::regclass";
  const std::string before = admin.Exec(filenode_sql);
  maintenance::CancelFlag cancel;
  auto done = runner->Execute(forced, ContextFor(policy), {}, cancel);
  EXPECT_EQ(done.state, OperationState::kCompleted) << Describe(done);
  EXPECT_NE(admin.Exec(filenode_sql), before);  // VACUUM FULL rewrote the table

  // Inside the window the same operation needs no force.
  policy.windows = {maintenance::Window{0x7f, 0, 0}};  // the whole day, every day
  request.force = false;
  request.reason.clear();
  auto inside = runner->Plan(request, ContextFor(policy));
  EXPECT_EQ(inside.state, OperationState::kPlanned) << Describe(inside);
}

// A role that neither owns the table nor has MAINTAIN (17+) is refused before anything runs.
TEST(MaintenanceExecution, ARoleWithoutThePrivilegeIsRefused) {
  const std::string t = UniqueName("mt_priv");
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE TABLE " + t + " (id int)");
  ScopeExit drop([&] { admin.Exec("DROP TABLE IF EXISTS " + t); });
  const auto policy = ShortLockPolicy();
  auto runner = maintenance::MakeOperationRunner(common::SystemClock::Instance());
  auto op =
      runner->Plan(RequestFor(OperationKind::kVacuum, t), ContextFor(policy, Sandbox().nopriv_dsn));
  EXPECT_EQ(op.state, OperationState::kRefused) << Describe(op);
  const model::GuardVerdict* g = FindGuard(op, "privilege");
  ASSERT_NE(g, nullptr) << Describe(op);
  EXPECT_EQ(g->outcome, GuardOutcome::kRefuse);
  EXPECT_NE(g->detail.find(Sandbox().major >= 17 ? "MAINTAIN" : "ownership"), std::string::npos)
      << g->detail;
}

}  // namespace
}  // namespace pgvigil::testing
