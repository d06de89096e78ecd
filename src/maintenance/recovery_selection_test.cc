// SPDX-License-Identifier: Apache-2.0
#include "maintenance/recovery_selection.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace pgvigil::maintenance {
namespace {

ActivityRow Row(int pid, std::string state, double age) {
  ActivityRow r;
  r.pid = pid;
  r.backend_start = "2026-11-22T07:00:00.000001Z";
  r.datname = "app";
  r.usename = "app_user";
  r.application_name = "shop";
  r.backend_type = "client backend";
  r.state = std::move(state);
  r.query_age_seconds = age;
  r.state_age_seconds = age;
  r.query = "SELECT 1";
  return r;
}

RecoveryRequest AllThresholds(double seconds) {
  RecoveryRequest q;
  q.cancel_running_longer_than_s = seconds;
  q.terminate_idle_longer_than_s = seconds;
  q.terminate_idle_in_transaction_longer_than_s = seconds;
  return q;
}

std::vector<int> Pids(const RecoverySelection& s) {
  std::vector<int> pids;
  for (const auto& b : s.backends) pids.push_back(b.pid);
  return pids;
}

int CountGuards(const RecoverySelection& s, std::string_view guard, model::GuardOutcome outcome) {
  int n = 0;
  for (const auto& g : s.guards) n += g.guard == guard && g.outcome == outcome;
  return n;
}

TEST(ValidateRecoveryRequest, NeedsAtLeastOneThreshold) {
  const common::Status s = ValidateRecoveryRequest(RecoveryRequest{});
  EXPECT_EQ(s.code(), common::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("at least one"), std::string::npos);
}

TEST(ValidateRecoveryRequest, RejectsThresholdsThatAreNotPositiveAndSane) {
  for (double bad : {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity(),
                     kMaxRecoveryThresholdSeconds * 2}) {
    RecoveryRequest q;
    q.terminate_idle_longer_than_s = bad;
    const common::Status s = ValidateRecoveryRequest(q);
    EXPECT_EQ(s.code(), common::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("terminate_idle_longer_than_s"), std::string::npos) << s.message();
  }
  EXPECT_TRUE(ValidateRecoveryRequest(AllThresholds(0.5)).ok());
  EXPECT_TRUE(ValidateRecoveryRequest(AllThresholds(kMaxRecoveryThresholdSeconds)).ok());
}

TEST(ValidateRecoveryRequest, RejectsConfirmEntriesWithoutPidOrStart) {
  RecoveryRequest q = AllThresholds(10);
  q.confirm.push_back({});
  EXPECT_NE(ValidateRecoveryRequest(q).message().find("pid"), std::string::npos);
  q.confirm[0].pid = 42;
  EXPECT_NE(ValidateRecoveryRequest(q).message().find("backend_start"), std::string::npos);
  q.confirm[0].backend_start = "2026-11-22T07:00:00Z";
  EXPECT_TRUE(ValidateRecoveryRequest(q).ok());
}

TEST(SelectRecoveryBackends, CancelsLongStatementsAndTerminatesIdleSessions) {
  const std::vector<ActivityRow> rows = {Row(1, "active", 20),
                                         Row(2, "active", 5),
                                         Row(3, "idle", 20),
                                         Row(4, "idle in transaction", 20),
                                         Row(5, "idle in transaction (aborted)", 30),
                                         Row(6, "idle", 1),
                                         Row(7, "fastpath function call", 100),
                                         Row(8, "active", 40)};
  const RecoverySelection s = SelectRecoveryBackends(rows, AllThresholds(10), {});
  // Cancels first (oldest first), then terminates (oldest first).
  EXPECT_EQ(Pids(s), (std::vector<int>{8, 1, 5, 3, 4}));
  EXPECT_EQ(s.backends[0].action, "cancel");
  EXPECT_EQ(s.backends[0].age_seconds, 40);
  EXPECT_EQ(s.backends[2].action, "terminate");
  EXPECT_EQ(s.backends[2].state, "idle in transaction (aborted)");
  EXPECT_TRUE(s.backends[0].outcome.empty());
  EXPECT_EQ(CountGuards(s, "protected_backend", model::GuardOutcome::kPass), 1);
}

TEST(SelectRecoveryBackends, ActsOnlyForTheThresholdsGiven) {
  const std::vector<ActivityRow> rows = {Row(1, "active", 20), Row(2, "idle", 20),
                                         Row(3, "idle in transaction", 20)};
  RecoveryRequest q;
  q.terminate_idle_in_transaction_longer_than_s = 10;
  EXPECT_EQ(Pids(SelectRecoveryBackends(rows, q, {})), (std::vector<int>{3}));
  q = {};
  q.cancel_running_longer_than_s = 10;
  EXPECT_EQ(Pids(SelectRecoveryBackends(rows, q, {})), (std::vector<int>{1}));
  // The threshold is inclusive; an unknown age never matches.
  q.cancel_running_longer_than_s = 20;
  EXPECT_EQ(Pids(SelectRecoveryBackends(rows, q, {})), (std::vector<int>{1}));
  std::vector<ActivityRow> no_age = {Row(1, "active", 20)};
  no_age[0].query_age_seconds.reset();
  EXPECT_TRUE(SelectRecoveryBackends(no_age, q, {}).backends.empty());
}

TEST(SelectRecoveryBackends, NeverSelectsAProtectedBackendAndSaysWhy) {
  std::vector<ActivityRow> rows;
  rows.push_back(Row(10, "idle", 60));  // the only one to act on
  ActivityRow self = Row(11, "active", 60);
  self.is_self = true;
  self.application_name = "psql";
  rows.push_back(self);
  ActivityRow daemon = Row(12, "idle", 60);
  daemon.application_name = "pgvigil-maint";
  rows.push_back(daemon);
  ActivityRow walsender = Row(13, "active", 60);
  walsender.backend_type = "walsender";
  rows.push_back(walsender);
  ActivityRow autovacuum = Row(14, "active", 60);
  autovacuum.backend_type = "autovacuum worker";
  rows.push_back(autovacuum);
  ActivityRow super = Row(15, "idle", 60);
  super.rolsuper = true;
  super.usename = "postgres";
  rows.push_back(super);
  ActivityRow role = Row(16, "idle", 60);
  role.usename = "replicator_job";
  rows.push_back(role);
  ActivityRow app = Row(17, "idle in transaction", 60);
  app.application_name = "billing-batch-7";
  rows.push_back(app);

  MaintenancePolicy policy;
  policy.protected_roles = {"replicator_*"};
  policy.protected_applications = {"billing-*"};
  const RecoverySelection s = SelectRecoveryBackends(rows, AllThresholds(10), policy);
  EXPECT_EQ(Pids(s), (std::vector<int>{10}));
  EXPECT_EQ(CountGuards(s, "protected_backend", model::GuardOutcome::kWarn), 7);
  EXPECT_EQ(CountGuards(s, "protected_backend", model::GuardOutcome::kPass), 0);
  std::string all;
  for (const auto& g : s.guards) all += g.detail + "\n";
  for (const char* why :
       {"pid 11", "own session", "pgvigil-maint", "walsender", "autovacuum worker", "superuser",
        "protected_roles 'replicator_*'", "protected_applications 'billing-*'"}) {
    EXPECT_NE(all.find(why), std::string::npos) << why << " in\n" << all;
  }
}

TEST(SelectRecoveryBackends, ReportsOnlyProtectedBackendsTheThresholdsMatched) {
  ActivityRow walsender = Row(13, "active", 1);  // too young to matter
  walsender.backend_type = "walsender";
  const RecoverySelection s = SelectRecoveryBackends({walsender}, AllThresholds(10), {});
  EXPECT_TRUE(s.backends.empty());
  EXPECT_EQ(CountGuards(s, "protected_backend", model::GuardOutcome::kWarn), 0);
}

TEST(SelectRecoveryBackends, LimitsTheSelectionToTheRequestedDatabase) {
  std::vector<ActivityRow> rows = {Row(1, "idle", 20), Row(2, "idle", 20)};
  rows[1].datname = "other";
  RecoveryRequest q = AllThresholds(10);
  q.database = "other";
  EXPECT_EQ(Pids(SelectRecoveryBackends(rows, q, {})), (std::vector<int>{2}));
}

TEST(SelectRecoveryBackends, ConfirmActsOnlyOnTheSameProcessesStillMatching) {
  std::vector<ActivityRow> rows = {Row(1, "idle", 20), Row(2, "idle", 20), Row(3, "idle", 20),
                                   Row(4, "active", 0.1)};
  rows[1].backend_start = "2026-11-22T08:00:00.000001Z";  // pid 2 was reused
  RecoveryRequest q = AllThresholds(10);
  for (int pid : {1, 2, 4, 9}) {
    model::RecoveryBackend c;
    c.pid = pid;
    c.backend_start = "2026-11-22T07:00:00.000001Z";
    q.confirm.push_back(c);
  }
  const RecoverySelection s = SelectRecoveryBackends(rows, q, {});
  // pid 3 was not confirmed; pid 4 no longer matches; 2 changed; 9 is gone.
  ASSERT_EQ(s.backends.size(), 3U);
  EXPECT_EQ(s.backends[0].pid, 1);
  EXPECT_EQ(s.backends[0].action, "terminate");
  EXPECT_TRUE(s.backends[0].outcome.empty());
  EXPECT_EQ(s.backends[1].pid, 2);
  EXPECT_EQ(s.backends[1].outcome, "changed");
  EXPECT_EQ(s.backends[1].backend_start, "2026-11-22T07:00:00.000001Z");
  EXPECT_TRUE(s.backends[1].action.empty());
  EXPECT_EQ(s.backends[2].pid, 9);
  EXPECT_EQ(s.backends[2].outcome, "gone");
  EXPECT_EQ(CountGuards(s, "backend_unchanged", model::GuardOutcome::kWarn), 3);
}

TEST(SelectRecoveryBackends, CutsQueriesAtACharacterBoundary) {
  ActivityRow r = Row(1, "active", 20);
  r.query = std::string(kRecoveryQueryBytes - 1, 'x') + "é and more";  // é is two bytes
  const RecoverySelection s = SelectRecoveryBackends({r}, AllThresholds(10), {});
  ASSERT_EQ(s.backends.size(), 1U);
  EXPECT_EQ(s.backends[0].query, std::string(kRecoveryQueryBytes - 1, 'x'));
}

}  // namespace
}  // namespace pgvigil::maintenance
