// SPDX-License-Identifier: Apache-2.0
#include "collect/replication_collector.h"

#include <gtest/gtest.h>

#include "collect/collection.h"
#include "support/fake_session.h"

namespace pgvigil::collect {
namespace {

using testing::FakeSession;

const std::vector<std::string> kSenderColumns = {"pid",
                                                 "usename",
                                                 "application_name",
                                                 "client_addr",
                                                 "state",
                                                 "sync_state",
                                                 "sent_lag_bytes",
                                                 "write_lag_bytes",
                                                 "flush_lag_bytes",
                                                 "replay_lag_bytes",
                                                 "write_lag_seconds",
                                                 "flush_lag_seconds",
                                                 "replay_lag_seconds"};
const std::vector<std::string> kReceiverColumns = {
    "status",           "sender_host",          "sender_port",
    "slot_name",        "receive_lsn_bytes",    "replay_lsn_bytes",
    "replay_lag_bytes", "replay_delay_seconds", "last_msg_receipt_age_seconds"};
const std::vector<std::string> kSlotColumns13 = {"slot_name",        "plugin",
                                                 "slot_type",        "datname",
                                                 "temporary",        "active",
                                                 "active_pid",       "xmin_age",
                                                 "catalog_xmin_age", "retained_wal_bytes",
                                                 "wal_status",       "safe_wal_size_bytes"};

model::Snapshot Collect(FakeSession& session) {
  model::Snapshot snapshot;
  const ReplicationCollector collector;
  const Collector* const collectors[] = {&collector};
  const Tier tiers[] = {Tier::kFast};
  RunCollectors(session, collectors, tiers, CollectorOptions{}, QueryCatalog::Builtin(), snapshot);
  return snapshot;
}

TEST(ReplicationCollector, ReadsAPrimaryWithAStandbyAndSlots) {
  FakeSession session(150004);
  session.AddResult("stat_replication", kSenderColumns,
                    {{"301", "repl", "standby1", "10.0.0.2", "streaming", "async", "0", "128",
                      "128", "4096", "0.002", "0.003", std::nullopt}});
  session.AddResult("stat_wal_receiver", kReceiverColumns, {});
  session.AddResult("replication_slots", kSlotColumns13,
                    {{"standby1", std::nullopt, "physical", std::nullopt, "f", "t", "301",
                      std::nullopt, std::nullopt, "4096", "reserved", std::nullopt},
                     {"cdc", "pgoutput", "logical", "app", "f", "f", std::nullopt, std::nullopt,
                      "1500", "104857600", "extended", "-5000"}});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk) << s.outcomes[0].message;
  ASSERT_EQ(s.replication.size(), 1u);
  const model::ReplicationConnection& c = s.replication[0];
  EXPECT_EQ(c.pid, 301);
  EXPECT_EQ(c.application_name, "standby1");
  EXPECT_EQ(*c.sent_lag_bytes, 0);
  EXPECT_EQ(*c.replay_lag_bytes, 4096);
  EXPECT_DOUBLE_EQ(*c.flush_lag_seconds, 0.003);
  EXPECT_FALSE(c.replay_lag_seconds.has_value());  // NULL while nothing was replayed lately
  EXPECT_FALSE(s.wal_receiver.has_value());
  ASSERT_EQ(s.replication_slots.size(), 2u);
  const model::ReplicationSlot& physical = s.replication_slots[0];
  EXPECT_EQ(physical.slot_type, "physical");
  EXPECT_EQ(physical.plugin, "");
  EXPECT_EQ(physical.datname, "");
  EXPECT_TRUE(physical.active);
  EXPECT_EQ(physical.active_pid, 301);
  EXPECT_FALSE(physical.xmin_age.has_value());
  EXPECT_EQ(*physical.retained_wal_bytes, 4096);
  EXPECT_FALSE(physical.conflicting.has_value());       // 16+
  EXPECT_FALSE(physical.inactive_seconds.has_value());  // 17+
  EXPECT_EQ(physical.invalidation_reason, "");
  const model::ReplicationSlot& logical = s.replication_slots[1];
  EXPECT_EQ(logical.plugin, "pgoutput");
  EXPECT_EQ(logical.datname, "app");
  EXPECT_EQ(*logical.catalog_xmin_age, 1500);
  EXPECT_EQ(*logical.safe_wal_size_bytes, -5000);
}

TEST(ReplicationCollector, ReadsAStandbysReceiver) {
  FakeSession session(150004);
  session.AddResult("stat_replication", kSenderColumns, {});
  session.AddResult("stat_wal_receiver", kReceiverColumns,
                    {{"streaming", "10.0.0.1", "5432", "standby1", "50331648", "50327552", "4096",
                      "1.5", "0.2"}});
  session.AddResult("replication_slots", kSlotColumns13, {});
  const model::Snapshot s = Collect(session);
  ASSERT_TRUE(s.wal_receiver.has_value());
  EXPECT_EQ(s.wal_receiver->status, "streaming");
  EXPECT_EQ(s.wal_receiver->sender_port, 5432);
  EXPECT_EQ(*s.wal_receiver->receive_lsn_bytes, 50331648);
  EXPECT_EQ(*s.wal_receiver->replay_lag_bytes, 4096);
  EXPECT_DOUBLE_EQ(*s.wal_receiver->replay_delay_seconds, 1.5);
  EXPECT_TRUE(s.replication.empty());
}

// A standby that restores from the archive, or whose primary is down, has no walreceiver:
// it still reports its replay position.
TEST(ReplicationCollector, ReadsAStandbyThatDoesNotStream) {
  FakeSession session(150004);
  session.AddResult("stat_replication", kSenderColumns, {});
  session.AddResult("stat_wal_receiver", kReceiverColumns,
                    {{std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                      "50327552", std::nullopt, "600", std::nullopt}});
  session.AddResult("replication_slots", kSlotColumns13, {});
  const model::Snapshot s = Collect(session);
  ASSERT_TRUE(s.wal_receiver.has_value());
  EXPECT_EQ(s.wal_receiver->status, "");
  EXPECT_FALSE(s.wal_receiver->sender_port.has_value());
  EXPECT_FALSE(s.wal_receiver->receive_lsn_bytes.has_value());
  EXPECT_EQ(*s.wal_receiver->replay_lsn_bytes, 50327552);
}

TEST(ReplicationCollector, MeasuresLagsFromTheReceivePositionOnAStandby) {
  FakeSession session(150004);
  Collect(session);
  ASSERT_EQ(session.pipelines().size(), 1u);
  const std::vector<pg::Query>& queries = session.pipelines()[0];
  ASSERT_EQ(queries.size(), 3u);
  for (const pg::Query* q : {&queries[0], &queries[2]}) {
    // pg_current_wal_lsn() errors during recovery: it must sit behind the recovery test.
    const size_t recovery = q->sql.find(
        "when pg_catalog.pg_is_in_recovery() then "
        "pg_catalog.pg_last_wal_receive_lsn()");
    ASSERT_NE(recovery, std::string::npos) << q->name;
    EXPECT_GT(q->sql.find("else pg_catalog.pg_current_wal_lsn()"), recovery) << q->name;
  }
}

TEST(ReplicationCollector, PicksTheSlotColumnsOfEachMajor) {
  for (const auto& [version, conflicting, inactive] :
       {std::tuple{130012, false, false}, std::tuple{160004, true, false},
        std::tuple{170002, true, true}, std::tuple{180000, true, true}}) {
    FakeSession session(version);
    Collect(session);
    ASSERT_EQ(session.pipelines().size(), 1u);
    const std::string& sql = session.pipelines()[0][2].sql;
    SCOPED_TRACE(version);
    EXPECT_EQ(sql.find("s.conflicting") != std::string::npos, conflicting);
    EXPECT_EQ(sql.find("inactive_since") != std::string::npos, inactive);
    EXPECT_EQ(sql.find("invalidation_reason") != std::string::npos, inactive);
  }
}

TEST(ReplicationCollector, ReadsTheSlotColumnsOf17) {
  FakeSession session(170002);
  std::vector<std::string> columns = kSlotColumns13;
  columns.insert(columns.end(), {"conflicting", "inactive_seconds", "invalidation_reason"});
  session.AddResult("stat_replication", kSenderColumns, {});
  session.AddResult("stat_wal_receiver", kReceiverColumns, {});
  session.AddResult("replication_slots", columns,
                    {{"cdc", "pgoutput", "logical", "app", "f", "f", std::nullopt, std::nullopt,
                      "900", std::nullopt, "lost", std::nullopt, "t", "86400.5", "rows_removed"}});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.replication_slots.size(), 1u);
  const model::ReplicationSlot& slot = s.replication_slots[0];
  EXPECT_EQ(slot.conflicting, true);
  EXPECT_DOUBLE_EQ(*slot.inactive_seconds, 86400.5);
  EXPECT_EQ(slot.invalidation_reason, "rows_removed");
  EXPECT_EQ(slot.wal_status, "lost");
  EXPECT_FALSE(slot.retained_wal_bytes.has_value());
}

}  // namespace
}  // namespace pgvigil::collect
