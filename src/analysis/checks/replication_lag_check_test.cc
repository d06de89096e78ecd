// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/replication_lag_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

constexpr std::int64_t kMiB = 1024 * 1024;

model::ReplicationConnection Walsender(std::int64_t replay_lag_bytes,
                                       std::optional<double> replay_lag_seconds = std::nullopt) {
  model::ReplicationConnection r;
  r.pid = 4242;
  r.application_name = "replica1";
  r.client_addr = "10.0.0.5";
  r.state = "streaming";
  r.sync_state = "async";
  r.sent_lag_bytes = 0;
  r.replay_lag_bytes = replay_lag_bytes;
  r.replay_lag_seconds = replay_lag_seconds;
  return r;
}

model::Snapshot Primary(std::vector<model::ReplicationConnection> walsenders) {
  model::Snapshot s;
  s.target = "prod";
  s.outcomes = {testing::OkOutcome("replication")};
  s.replication = std::move(walsenders);
  return s;
}

model::Snapshot Standby(std::int64_t replay_lag_bytes, double replay_delay_seconds) {
  model::Snapshot s;
  s.target = "prod-replica";
  s.server.is_in_recovery = true;
  s.outcomes = {testing::OkOutcome("replication")};
  model::WalReceiver w;
  w.status = "streaming";
  w.sender_host = "db-primary";
  w.replay_lag_bytes = replay_lag_bytes;
  w.replay_delay_seconds = replay_delay_seconds;
  s.wal_receiver = w;
  return s;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& s, const Thresholds& t = {}) {
  return testing::EvaluateCheck(ReplicationLagCheck(), s, nullptr, t);
}

TEST(ReplicationLagCheck, JudgesEachWalsendersReplayLagInBytes) {
  EXPECT_TRUE(Evaluate(Primary({Walsender(100 * kMiB - 1)})).empty());
  auto findings = Evaluate(Primary({Walsender(100 * kMiB)}));
  ASSERT_EQ(findings.size(), 1u);
  const model::Finding& f = findings[0];
  EXPECT_EQ(f.id, "replication.lag");
  EXPECT_EQ(f.object, "pid 4242");
  EXPECT_EQ(f.severity, model::Severity::kWarning);
  EXPECT_EQ(f.unit, "bytes");
  EXPECT_EQ(f.message, "standby replica1 (10.0.0.5, streaming, async) is 100 MB behind in replay");
  EXPECT_EQ(Evaluate(Primary({Walsender(1024 * kMiB - 1)})).at(0).severity,
            model::Severity::kWarning);
  EXPECT_EQ(Evaluate(Primary({Walsender(1024 * kMiB)})).at(0).severity, model::Severity::kCritical);
}

TEST(ReplicationLagCheck, TakesTheWorseOfBytesAndTime) {
  auto findings = Evaluate(Primary({Walsender(1 * kMiB, 29.9)}));
  EXPECT_TRUE(findings.empty());
  findings = Evaluate(Primary({Walsender(1 * kMiB, 300)}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kCritical);
  EXPECT_EQ(findings[0].unit, "seconds");
  EXPECT_EQ(*findings[0].threshold, 300);
  findings = Evaluate(Primary({Walsender(200 * kMiB, 40)}));  // both warnings: bytes
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].unit, "bytes");
}

TEST(ReplicationLagCheck, IgnoresBaseBackups) {
  model::ReplicationConnection r = Walsender(2048 * kMiB);
  r.state = "backup";
  EXPECT_TRUE(Evaluate(Primary({r})).empty());
}

TEST(ReplicationLagCheck, OnAStandbyJudgesTheReplayDelayOnlyWhileWalWaits) {
  // An idle primary: nothing waits for replay, the last replayed transaction just gets older.
  EXPECT_TRUE(Evaluate(Standby(0, 3600)).empty());
  auto findings = Evaluate(Standby(4096, 400));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].object, "server");
  EXPECT_EQ(findings[0].severity, model::Severity::kCritical);
  EXPECT_EQ(findings[0].unit, "seconds");
  EXPECT_NE(findings[0].message.find("7 min old"), std::string::npos) << findings[0].message;
  findings = Evaluate(Standby(200 * kMiB, 1));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].unit, "bytes");
}

TEST(ReplicationLagCheck, SaysNothingWhenReplicationWasNotCollected) {
  model::Snapshot s = Primary({Walsender(2048 * kMiB)});
  s.outcomes[0].status = model::CollectorStatus::kError;
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(ReplicationLagCheck, APerObjectOverrideChangesTheLevels) {
  const Thresholds t({{"replication.lag.seconds", "prod-replica", "server", {600, 3600}}});
  EXPECT_TRUE(Evaluate(Standby(4096, 400), t).empty());
}

}  // namespace
}  // namespace pgvigil::analysis
