// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/wraparound_xmin_horizon_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

model::Backend Backend(int pid, std::optional<std::int64_t> xmin_age,
                       std::optional<std::int64_t> xid_age = std::nullopt) {
  model::Backend b;
  b.pid = pid;
  b.datname = "app";
  b.usename = "web";
  b.application_name = "shop";
  b.backend_type = "client backend";
  b.state = "idle in transaction";
  b.xact_age_seconds = 3 * 3600;
  b.backend_xmin_age = xmin_age;
  b.backend_xid_age = xid_age;
  return b;
}

model::Snapshot Server() {
  model::Snapshot s;
  s.target = "prod";
  s.outcomes = {testing::OkOutcome("stat_activity"), testing::OkOutcome("wraparound"),
                testing::OkOutcome("replication")};
  return s;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& s, const Thresholds& t = {}) {
  return testing::EvaluateCheck(WraparoundXminHorizonCheck(), s, nullptr, t);
}

TEST(WraparoundXminHorizonCheck, WarnsFromOneHundredMillionTransactions) {
  model::Snapshot s = Server();
  s.activity = {Backend(10, 99999999)};
  EXPECT_TRUE(Evaluate(s).empty());
  s.activity = {Backend(10, 100000000)};
  auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  const model::Finding& f = findings[0];
  EXPECT_EQ(f.id, "wraparound.xmin_horizon");
  EXPECT_EQ(f.object, "pid 10");
  EXPECT_EQ(f.severity, model::Severity::kWarning);
  EXPECT_EQ(f.unit, "transactions");
  EXPECT_DOUBLE_EQ(*f.value, 1e8);
  EXPECT_NE(f.message.find("100 million transactions"), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("open for 3 h 0 min"), std::string::npos) << f.message;
  EXPECT_EQ(f.recommendation->sql, "SELECT pg_terminate_backend(10);");
}

TEST(WraparoundXminHorizonCheck, IsCriticalFromFiveHundredMillion) {
  model::Snapshot s = Server();
  s.activity = {Backend(10, 499999999)};
  EXPECT_EQ(Evaluate(s).at(0).severity, model::Severity::kWarning);
  s.activity = {Backend(10, 500000000, 400000000)};
  EXPECT_EQ(Evaluate(s).at(0).severity, model::Severity::kCritical);
}

TEST(WraparoundXminHorizonCheck, OneForgottenTransactionIsOneFindingNotOnePerBackend) {
  model::Snapshot s = Server();
  // pid 10 wrote and never committed: every later snapshot's xmin waits for its xid.
  s.activity = {Backend(10, 200000000, 200000000), Backend(20, 200000000), Backend(30, 200000000),
                Backend(40, 5)};
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].object, "pid 10");
  bool counted = false;
  for (const auto& e : findings[0].evidence) {
    counted |= e == "2 other backends hold snapshots that wait for its transaction id";
  }
  EXPECT_TRUE(counted);
}

TEST(WraparoundXminHorizonCheck, AnOlderReadOnlySnapshotIsAHolderOfItsOwn) {
  model::Snapshot s = Server();
  s.activity = {Backend(10, 200000000, 200000000), Backend(50, 300000000)};
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].object, "pid 10");
  EXPECT_EQ(findings[1].object, "pid 50");
}

TEST(WraparoundXminHorizonCheck, LeavesOutPgvigilAutovacuumAndParallelWorkers) {
  model::Snapshot s = Server();
  s.activity = {Backend(10, 300000000), Backend(11, 300000000), Backend(12, 300000000)};
  s.activity[0].application_name = "pgvigil";
  s.activity[1].backend_type = "autovacuum worker";
  s.activity[2].backend_type = "parallel worker";
  s.activity[2].leader_pid = 99;
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(WraparoundXminHorizonCheck, NamesAPreparedTransactionAndItsBystanders) {
  model::Snapshot s = Server();
  model::PreparedTransaction p;
  p.gid = "tx'); DROP TABLE t; --";
  p.owner = "app";
  p.datname = "app";
  p.prepared_age_seconds = 86400 * 3;
  p.xid_age = 600000000;
  s.prepared_transactions = {p};
  s.activity = {Backend(20, 600000000), Backend(21, 600000000)};  // their xmin waits for it
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  const model::Finding& f = findings[0];
  EXPECT_EQ(f.object, "prepared transaction tx'); DROP TABLE t; --");
  EXPECT_EQ(f.severity, model::Severity::kCritical);
  EXPECT_NE(f.message.find("prepared 3.0 days ago"), std::string::npos) << f.message;
  EXPECT_EQ(f.recommendation->sql, "ROLLBACK PREPARED 'tx''); DROP TABLE t; --';");
  EXPECT_EQ(f.evidence.back(), "2 backends hold snapshots that wait for its transaction id");
}

TEST(WraparoundXminHorizonCheck, NamesSlotsAndDropsOnlyInactiveOnes) {
  model::Snapshot s = Server();
  model::ReplicationSlot logical;
  logical.slot_name = "old'sub";
  logical.slot_type = "logical";
  logical.datname = "app";
  logical.catalog_xmin_age = 150000000;
  logical.inactive_seconds = 7200;
  model::ReplicationSlot physical;
  physical.slot_name = "standby1";
  physical.slot_type = "physical";
  physical.active = true;
  physical.xmin_age = 120000000;
  s.replication_slots = {logical, physical};
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].object, "slot old'sub");
  EXPECT_NE(findings[0].message.find("catalog xmin horizon"), std::string::npos);
  EXPECT_NE(findings[0].message.find("unused for 2 h 0 min"), std::string::npos)
      << findings[0].message;
  EXPECT_EQ(findings[0].recommendation->sql, "SELECT pg_drop_replication_slot('old''sub');");
  EXPECT_NE(findings[0].recommendation->why.find("Check first"), std::string::npos);
  EXPECT_EQ(findings[1].object, "slot standby1");
  EXPECT_TRUE(findings[1].recommendation->sql.empty());
}

TEST(WraparoundXminHorizonCheck, SkipsBackendsWhenActivityWasNotCollected) {
  model::Snapshot s = Server();
  s.outcomes[0].status = model::CollectorStatus::kError;
  s.activity = {Backend(10, 300000000)};
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(WraparoundXminHorizonCheck, APerObjectOverrideChangesTheLevels) {
  model::Snapshot s = Server();
  model::ReplicationSlot slot;
  slot.slot_name = "archive_1";
  slot.slot_type = "physical";
  slot.active = true;
  slot.xmin_age = 200000000;
  s.replication_slots = {slot};
  EXPECT_EQ(Evaluate(s).size(), 1u);
  const Thresholds t({{"wraparound.xmin_horizon", "*", "slot archive_*", {3e8, 6e8}}});
  EXPECT_TRUE(Evaluate(s, t).empty());
}

}  // namespace
}  // namespace pgvigil::analysis
