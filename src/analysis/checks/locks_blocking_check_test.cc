// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/locks_blocking_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

model::LockWait Wait(int pid, std::vector<int> blockers, double seconds) {
  model::LockWait w;
  w.pid = pid;
  w.blocking_pids = std::move(blockers);
  w.wait_seconds = seconds;
  w.mode = "ShareLock";
  w.locktype = "transactionid";
  return w;
}

model::Backend Backend(int pid, std::string state) {
  model::Backend b;
  b.pid = pid;
  b.state = std::move(state);
  b.application_name = "app";
  b.query = "update t set v = 1";
  return b;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& s) {
  return testing::EvaluateCheck(LocksBlockingCheck(), s);
}

TEST(LocksBlockingCheck, NamesTheRootBlockerOfAChain) {
  model::Snapshot s;
  s.activity = {Backend(10, "idle in transaction"), Backend(20, "active"), Backend(30, "active")};
  s.lock_waits = {Wait(20, {10}, 70), Wait(30, {20}, 4)};
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);  // pid 30 waits 4 s: under the 5 s warning
  EXPECT_EQ(findings[0].object, "pid 20");
  EXPECT_EQ(findings[0].severity, model::Severity::kCritical);  // 70 s ≥ 60 s
  EXPECT_EQ(*findings[0].threshold, 60);
  ASSERT_TRUE(findings[0].recommendation.has_value());
  EXPECT_NE(findings[0].recommendation->sql.find("pg_cancel_backend(10)"), std::string::npos);
  EXPECT_EQ(RootBlockers(s.lock_waits, 30), std::vector<int>{10});
}

TEST(LocksBlockingCheck, WarnsFromFiveSecondsAndIgnoresShorterWaits) {
  model::Snapshot s;
  s.lock_waits = {Wait(20, {10}, 4.9)};
  EXPECT_TRUE(Evaluate(s).empty());
  s.lock_waits = {Wait(20, {10}, 5.0)};
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
}

TEST(LocksBlockingCheck, SurvivesACycle) {
  model::Snapshot s;
  s.lock_waits = {Wait(1, {2}, 10), Wait(2, {1}, 10)};
  EXPECT_TRUE(RootBlockers(s.lock_waits, 1).empty());
  EXPECT_EQ(Evaluate(s).size(), 2u);
}

}  // namespace
}  // namespace pgvigil::analysis
