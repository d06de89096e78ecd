// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/replication_slots_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

constexpr std::int64_t kGiB = 1024LL * 1024 * 1024;

model::ReplicationSlot Slot(bool active, std::int64_t retained) {
  model::ReplicationSlot slot;
  slot.slot_name = "standby1";
  slot.slot_type = "physical";
  slot.active = active;
  if (active) slot.active_pid = 4242;
  slot.retained_wal_bytes = retained;
  slot.wal_status = "reserved";
  return slot;
}

model::Snapshot Server(std::vector<model::ReplicationSlot> slots) {
  model::Snapshot s;
  s.target = "prod";
  s.outcomes = {testing::OkOutcome("replication")};
  s.replication_slots = std::move(slots);
  return s;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& s, const Thresholds& t = {}) {
  return testing::EvaluateCheck(ReplicationSlotsCheck(), s, nullptr, t);
}

std::vector<model::Finding> WithId(const std::vector<model::Finding>& findings,
                                   std::string_view id) {
  std::vector<model::Finding> out;
  for (const auto& f : findings) {
    if (f.id == id) out.push_back(f);
  }
  return out;
}

TEST(ReplicationSlotsCheck, AnInactiveSlotIsAWarningFromAnyAmountAndCriticalByBytes) {
  auto findings = Evaluate(Server({Slot(false, 0)}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "replication.slot_inactive");
  EXPECT_EQ(findings[0].object, "slot standby1");
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_EQ(findings[0].recommendation->sql, "SELECT pg_drop_replication_slot('standby1');");
  EXPECT_NE(findings[0].recommendation->why.find("Check the consumer first"), std::string::npos);
  auto inactive = WithId(Evaluate(Server({Slot(false, kGiB - 1)})), "replication.slot_inactive");
  EXPECT_EQ(inactive.at(0).severity, model::Severity::kWarning);
  inactive = WithId(Evaluate(Server({Slot(false, kGiB)})), "replication.slot_inactive");
  EXPECT_EQ(inactive.at(0).severity, model::Severity::kCritical);
  EXPECT_EQ(*inactive.at(0).threshold, static_cast<double>(kGiB));
}

TEST(ReplicationSlotsCheck, ActiveAndTemporarySlotsAreNotInactive) {
  EXPECT_TRUE(Evaluate(Server({Slot(true, 0)})).empty());
  model::ReplicationSlot temp = Slot(false, 0);
  temp.temporary = true;
  EXPECT_TRUE(Evaluate(Server({temp})).empty());
}

TEST(ReplicationSlotsCheck, JudgesRetainedWalOfActiveSlots) {
  EXPECT_TRUE(Evaluate(Server({Slot(true, kGiB - 1)})).empty());
  auto findings = Evaluate(Server({Slot(true, kGiB)}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "replication.slot_retained_wal");
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_EQ(findings[0].message, "slot standby1 (physical, active) retains 1.0 GB of WAL");
  EXPECT_TRUE(findings[0].recommendation->sql.empty()) << "never drop a slot in use";
  EXPECT_EQ(Evaluate(Server({Slot(true, 10 * kGiB - 1)})).at(0).severity,
            model::Severity::kWarning);
  EXPECT_EQ(Evaluate(Server({Slot(true, 10 * kGiB)})).at(0).severity, model::Severity::kCritical);
}

TEST(ReplicationSlotsCheck, AnInactiveSlotRetainingMuchGivesBothFindings) {
  const auto findings = Evaluate(Server({Slot(false, 2 * kGiB)}));
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(WithId(findings, "replication.slot_inactive").at(0).severity,
            model::Severity::kCritical);
  EXPECT_EQ(WithId(findings, "replication.slot_retained_wal").at(0).severity,
            model::Severity::kWarning);
}

TEST(ReplicationSlotsCheck, WalStatusUnreservedWarnsAndLostIsCritical) {
  model::ReplicationSlot slot = Slot(true, 1024);
  slot.wal_status = "unreserved";
  auto findings = Evaluate(Server({slot}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_NE(findings[0].message.find("unreserved"), std::string::npos);
  slot.active = false;
  slot.wal_status = "lost";
  slot.retained_wal_bytes.reset();
  findings = WithId(Evaluate(Server({slot})), "replication.slot_retained_wal");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kCritical);
  EXPECT_FALSE(findings[0].value.has_value());
  EXPECT_EQ(findings[0].recommendation->sql, "SELECT pg_drop_replication_slot('standby1');");
}

TEST(ReplicationSlotsCheck, SaysNothingWhenReplicationWasNotCollected) {
  model::Snapshot s = Server({Slot(false, 20 * kGiB)});
  s.outcomes[0].status = model::CollectorStatus::kSkipped;
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(ReplicationSlotsCheck, APerSlotOverrideChangesTheLevels) {
  const Thresholds t(
      {{"replication.slot_retained_wal", "*", "slot standby*", {20.0 * kGiB, 50.0 * kGiB}}});
  EXPECT_TRUE(Evaluate(Server({Slot(true, 15 * kGiB)}), t).empty());
  EXPECT_EQ(Evaluate(Server({Slot(true, 15 * kGiB)})).size(), 1u);
}

TEST(ReplicationSlotsCheck, QuotesAHostileSlotName) {
  model::ReplicationSlot slot = Slot(false, 0);
  slot.slot_name = "x'); DROP TABLE t; --\\";
  const auto findings = Evaluate(Server({slot}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].recommendation->sql,
            "SELECT pg_drop_replication_slot(E'x''); DROP TABLE t; --\\\\');");
}

}  // namespace
}  // namespace pgvigil::analysis
