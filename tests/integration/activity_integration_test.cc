// SPDX-License-Identifier: Apache-2.0
// Sessions, waits and lock chains, created for real and collected as the pg_monitor role.
#include <thread>

#include "integration/integration_helpers.h"

namespace pgvigil::testing {
namespace {

using collect::Tier;

TEST(ActivityIntegration, ReportsAnIdleInTransactionSessionWithItsAge) {
  TestConnection idle(Sandbox().admin_dsn);
  idle.Exec("SET application_name = 'it-idle-tx'; BEGIN; SELECT txid_current();");
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  const model::Snapshot s = CollectTiers({Tier::kFast});
  ASSERT_EQ(OutcomeOf(s, "stat_activity").status, model::CollectorStatus::kOk);
  const model::Backend* b = FindBackend(s, idle.backend_pid());
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->state, "idle in transaction");
  EXPECT_EQ(b->application_name, "it-idle-tx");
  ASSERT_TRUE(b->xact_age_seconds.has_value());
  EXPECT_GE(*b->xact_age_seconds, 1.0);
  EXPECT_LT(*b->xact_age_seconds, 60.0);
  ASSERT_TRUE(b->backend_xid_age.has_value());  // txid_current() assigned an xid
  // The monitoring role sees the other role's query text (pg_monitor includes read_all_stats).
  EXPECT_NE(b->query.find("txid_current"), std::string::npos);
}

TEST(ActivityIntegration, ReportsALongRunningStatementAsActive) {
  TestConnection sleeper(Sandbox().admin_dsn);
  sleeper.Send("SELECT pg_sleep(30) /* it-long-sleep */");
  const int pid = sleeper.backend_pid();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  const model::Snapshot s = CollectTiers({Tier::kFast});
  const model::Backend* b = FindBackend(s, pid);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->state, "active");
  EXPECT_EQ(b->wait_event, "PgSleep");
  ASSERT_TRUE(b->query_age_seconds.has_value());
  EXPECT_GE(*b->query_age_seconds, 1.0);
  EXPECT_NE(b->query.find("it-long-sleep"), std::string::npos);
}

TEST(ActivityIntegration, MarksPgvigilsOwnSession) {
  // Other test processes collect at the same time (ctest -j), and a finished collection's
  // backend may linger for a moment: retry until only this collection's session is there.
  long own = 0;
  const bool only_own = Eventually([&] {
    const model::Snapshot s = CollectTiers({Tier::kFast});
    own = std::count_if(s.activity.begin(), s.activity.end(), [](const model::Backend& b) {
      return b.application_name == "pgvigil" && b.usename == "pgvigil_monitor";
    });
    return own == 1;
  });
  EXPECT_TRUE(only_own) << own << " sessions marked as pgvigil's";
}

// A holds a row lock in an open transaction; B waits for A; C waits for B (and A).
TEST(ActivityIntegration, ReportsTheWholeBlockingChain) {
  const std::string table = UniqueName("chain");
  TestConnection setup(Sandbox().admin_dsn);
  setup.Exec("CREATE TABLE " + table + " (id int primary key, v int); INSERT INTO " + table +
             " VALUES (1, 0)");
  TestConnection a(Sandbox().admin_dsn);
  TestConnection b(Sandbox().admin_dsn);
  TestConnection c(Sandbox().admin_dsn);
  a.Exec("BEGIN; UPDATE " + table + " SET v = 1 WHERE id = 1");
  b.Send("UPDATE " + table + " SET v = 2 WHERE id = 1");
  // C asks for a lock that conflicts with B's queued request, so it waits behind B.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  c.Send("BEGIN; LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");

  model::Snapshot s;
  ASSERT_TRUE(Eventually([&] {
    s = CollectTiers({Tier::kFast});
    return FindLockWait(s, b.backend_pid()) != nullptr && FindLockWait(s, c.backend_pid()) != nullptr;
  })) << "the waiting backends never showed up in lock_waits";
  ASSERT_EQ(OutcomeOf(s, "locks").status, model::CollectorStatus::kOk) << OutcomeOf(s, "locks").message;

  const model::LockWait* wb = FindLockWait(s, b.backend_pid());
  EXPECT_EQ(wb->blocking_pids, std::vector<int>{a.backend_pid()});
  EXPECT_EQ(wb->mode, "ShareLock");  // waiting for A's transaction id
  EXPECT_EQ(wb->locktype, "transactionid");

  const model::LockWait* wc = FindLockWait(s, c.backend_pid());
  EXPECT_EQ(wc->mode, "AccessExclusiveLock");
  EXPECT_EQ(wc->locktype, "relation");
  EXPECT_NE(wc->relation.find(table), std::string::npos);
  EXPECT_NE(std::find(wc->blocking_pids.begin(), wc->blocking_pids.end(), a.backend_pid()),
            wc->blocking_pids.end());
  // A is the root: it waits for nothing.
  EXPECT_EQ(FindLockWait(s, a.backend_pid()), nullptr);
  const model::Backend* holder = FindBackend(s, a.backend_pid());
  ASSERT_NE(holder, nullptr);
  EXPECT_EQ(holder->state, "idle in transaction");

  ASSERT_TRUE(wb->wait_seconds.has_value());
  ASSERT_TRUE(wc->wait_seconds.has_value());
  EXPECT_GE(*wb->wait_seconds, 0.1);
  EXPECT_GE(*wb->wait_seconds, *wc->wait_seconds);  // B started waiting first
  EXPECT_EQ(wb->is_wait_start_exact, Sandbox().major >= 14);

  c.Cancel();
  b.Cancel();
  a.Exec("ROLLBACK");
  setup.Exec("DROP TABLE " + table);
}

}  // namespace
}  // namespace pgvigil::testing
