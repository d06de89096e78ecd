// SPDX-License-Identifier: Apache-2.0
// Replication and WAL on the sandbox, a primary without standbys: a real unused slot holding
// back WAL, no WAL receiver, and a WAL position that moves when WAL is written.
#include "integration/integration_helpers.h"

namespace pgvigil::testing {
namespace {

using collect::Tier;

const model::ReplicationSlot* FindSlot(const model::Snapshot& s, const std::string& name) {
  auto it = std::find_if(s.replication_slots.begin(), s.replication_slots.end(),
                         [&](const model::ReplicationSlot& r) { return r.slot_name == name; });
  return it == s.replication_slots.end() ? nullptr : &*it;
}

// Writes some WAL as the superuser: a table's worth of inserts, dropped again.
void WriteWal(TestConnection& admin) {
  const std::string t = UniqueName("it_wal");
  admin.Exec("CREATE TABLE " + t + " AS SELECT g FROM generate_series(1, 1000) g");
  admin.Exec("DROP TABLE " + t);
}

TEST(ReplicationIntegration, ReportsAnUnusedPhysicalSlotHoldingBackWal) {
  const std::string slot = UniqueName("it_slot");
  TestConnection admin(Sandbox().admin_dsn);
  // true: reserve WAL now, as a slot made for a standby that never connected does.
  admin.Exec("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
  ScopeExit drop([&] { admin.Exec("SELECT pg_drop_replication_slot('" + slot + "')"); });
  WriteWal(admin);
  // The current WAL position is the written one (synchronous_commit = off in the sandbox);
  // a segment switch writes everything out and moves on.
  admin.Exec("SELECT pg_switch_wal()");

  model::Snapshot s;
  const model::ReplicationSlot* r = nullptr;
  ASSERT_TRUE(Eventually([&] {
    s = CollectTiers({Tier::kFast});
    r = FindSlot(s, slot);
    return r != nullptr && r->retained_wal_bytes.value_or(0) > 0;
  })) << "slot "
      << slot << (r == nullptr ? " not reported" : " retains no WAL");
  ASSERT_EQ(OutcomeOf(s, "replication").status, model::CollectorStatus::kOk)
      << OutcomeOf(s, "replication").message;
  EXPECT_EQ(r->slot_type, "physical");
  EXPECT_FALSE(r->active);
  EXPECT_FALSE(r->active_pid.has_value());
  EXPECT_FALSE(r->temporary);
  EXPECT_EQ(r->plugin, "");
  EXPECT_EQ(r->datname, "");
  EXPECT_FALSE(r->xmin_age.has_value());  // no standby, no hot_standby_feedback
  EXPECT_FALSE(r->catalog_xmin_age.has_value());
  EXPECT_TRUE(r->wal_status == "reserved" || r->wal_status == "extended") << r->wal_status;
  EXPECT_FALSE(r->safe_wal_size_bytes.has_value());  // max_slot_wal_keep_size is -1
  EXPECT_FALSE(r->conflicting.has_value());          // 16+: NULL for physical slots; absent before

  // More WAL, more retained: the slot's restart_lsn stays where it was.
  const std::int64_t before = *r->retained_wal_bytes;
  WriteWal(admin);
  admin.Exec("SELECT pg_switch_wal()");
  ASSERT_TRUE(Eventually([&] {
    s = CollectTiers({Tier::kFast});
    r = FindSlot(s, slot);
    return r != nullptr && r->retained_wal_bytes.value_or(0) > before;
  })) << "retained WAL did not grow past "
      << before;
}

TEST(ReplicationIntegration, APrimaryHasNoReceiverAndItsWalPositionMoves) {
  const model::Snapshot first = CollectTiers({Tier::kFast, Tier::kStandard});
  ASSERT_EQ(OutcomeOf(first, "replication").status, model::CollectorStatus::kOk)
      << OutcomeOf(first, "replication").message;
  ASSERT_EQ(OutcomeOf(first, "wal").status, model::CollectorStatus::kOk)
      << OutcomeOf(first, "wal").message;
  EXPECT_FALSE(first.wal_receiver.has_value());
  EXPECT_TRUE(first.replication.empty());  // the sandbox has no standby
  ASSERT_TRUE(first.wal.has_value());
  ASSERT_TRUE(first.wal->wal_lsn_bytes.has_value());
  EXPECT_GT(*first.wal->wal_lsn_bytes, 0);
  if (Sandbox().major >= 14) {
    EXPECT_TRUE(first.wal->wal_records.has_value());
    EXPECT_TRUE(first.wal->wal_bytes.has_value());
  }

  TestConnection admin(Sandbox().admin_dsn);
  WriteWal(admin);
  model::Snapshot later;
  EXPECT_TRUE(Eventually([&] {
    later = CollectTiers({Tier::kStandard});
    return later.wal.has_value() &&
           later.wal->wal_lsn_bytes.value_or(0) > *first.wal->wal_lsn_bytes;
  })) << "wal_lsn_bytes stayed at "
      << *first.wal->wal_lsn_bytes;
}

}  // namespace
}  // namespace pgvigil::testing
