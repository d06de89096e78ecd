// SPDX-License-Identifier: Apache-2.0
#include "collect/sequences_collector.h"

#include <gtest/gtest.h>

#include "collect/collection.h"
#include "support/fake_session.h"

namespace pgvigil::collect {
namespace {

using testing::FakeSession;
using Row = std::vector<std::optional<std::string>>;

const std::vector<std::string> kColumns = {
    "datname",     "relid",        "schemaname", "sequencename", "data_type",   "min_value",
    "max_value",   "increment_by", "cycle",      "last_value",   "is_readable", "owned_by",
    "column_type", "lock_mode",    "lock_pid",   "lock_granted"};

model::Snapshot Collect(FakeSession& session) {
  model::Snapshot snapshot;
  const SequencesCollector collector;
  const Collector* const collectors[] = {&collector};
  const Tier tiers[] = {Tier::kSlow};
  RunCollectors(session, collectors, tiers, CollectorOptions{}, QueryCatalog::Builtin(), snapshot);
  return snapshot;
}

Row Readable(std::string schema, std::string name, std::optional<std::string> last_value) {
  return {"app",
          "16390",
          std::move(schema),
          std::move(name),
          "bigint",
          "1",
          "9223372036854775807",
          "1",
          "f",
          std::move(last_value),
          "t",
          "public.orders.id",
          "integer",
          std::nullopt,
          std::nullopt,
          std::nullopt};
}

Row Unreadable(std::string schema, std::string name) {
  Row row = Readable(std::move(schema), std::move(name), std::nullopt);
  row[10] = "f";
  return row;
}

TEST(SequencesCollector, ReadsASerialSequenceAndItsColumn) {
  FakeSession session;
  session.AddResult("sequences", kColumns, {Readable("public", "orders_id_seq", "2147480000")});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk) << s.outcomes[0].message;
  EXPECT_TRUE(s.outcomes[0].message.empty());
  ASSERT_EQ(s.sequences.size(), 1u);
  const model::SequenceStats& q = s.sequences[0];
  EXPECT_EQ(q.datname, "app");
  EXPECT_EQ(q.sequencename, "orders_id_seq");
  EXPECT_EQ(q.data_type, "bigint");
  EXPECT_EQ(q.max_value, 9223372036854775807);
  EXPECT_EQ(q.increment_by, 1);
  EXPECT_FALSE(q.cycle);
  EXPECT_EQ(*q.last_value, 2147480000);
  EXPECT_TRUE(q.is_readable);
  EXPECT_EQ(q.owned_by, "public.orders.id");
  EXPECT_EQ(q.column_type, "integer");
}

TEST(SequencesCollector, ReadsANeverCalledStandaloneSequence) {
  FakeSession session;
  Row row = Readable("public", "invoice_no", std::nullopt);
  row[4] = "smallint";
  row[5] = "-32768";
  row[6] = "-1";
  row[7] = "-1";
  row[8] = "t";
  row[11] = "";
  row[12] = "";
  session.AddResult("sequences", kColumns, {row});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.sequences.size(), 1u);
  EXPECT_FALSE(s.sequences[0].last_value.has_value());
  EXPECT_EQ(s.sequences[0].min_value, -32768);
  EXPECT_EQ(s.sequences[0].increment_by, -1);
  EXPECT_TRUE(s.sequences[0].cycle);
  EXPECT_TRUE(s.sequences[0].owned_by.empty());
}

TEST(SequencesCollector, NotesTheGrantForOneUnreadableSequence) {
  FakeSession session;
  session.AddResult("sequences", kColumns,
                    {Readable("public", "a_seq", "1"), Unreadable("billing", "Invoice_seq")});
  const model::Snapshot s = Collect(session);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk);
  EXPECT_EQ(s.outcomes[0].message,
            "1 sequence is not readable by the monitoring role: GRANT SELECT ON SEQUENCE "
            "\"billing\".\"Invoice_seq\" TO \"monitor\" (pg_monitor does not cover sequences)");
  ASSERT_EQ(s.sequences.size(), 2u);
  EXPECT_FALSE(s.sequences[1].is_readable);
  EXPECT_FALSE(s.sequences[1].last_value.has_value());
}

TEST(SequencesCollector, NotesTheSchemasOfSeveralUnreadableSequences) {
  FakeSession session;
  session.AddResult("sequences", kColumns,
                    {Unreadable("public", "a_seq"), Unreadable("billing", "b_seq"),
                     Unreadable("public", "c_seq")});
  const model::Snapshot s = Collect(session);
  EXPECT_EQ(s.outcomes[0].message,
            "3 sequences are not readable by the monitoring role: GRANT SELECT ON ALL SEQUENCES "
            "IN SCHEMA \"billing\", \"public\" TO \"monitor\" (pg_monitor does not cover "
            "sequences)");
}

TEST(SequencesCollector, ListsASequenceWhoseLockItWouldQueueBehind) {
  FakeSession session;
  Row row = Readable("public", "orders_id_seq", std::nullopt);
  row[13] = "ShareRowExclusiveLock";
  row[14] = "321";
  row[15] = "t";
  session.AddResult("sequences", kColumns, {row});
  const model::Snapshot s = Collect(session);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk);
  ASSERT_EQ(s.sequences.size(), 1u);
  EXPECT_FALSE(s.sequences[0].last_value.has_value());
  ASSERT_EQ(s.skipped_relations.size(), 1u);
  EXPECT_EQ(s.skipped_relations[0].collector, "sequences");
  EXPECT_EQ(s.skipped_relations[0].relid, 16390u);
  EXPECT_EQ(s.skipped_relations[0].relname, "orders_id_seq");
  EXPECT_EQ(s.skipped_relations[0].reason, "ShareRowExclusiveLock held by pid 321");
}

TEST(SequencesCollector, UsesOneQueryOnEverySupportedMajor) {
  for (const int version_num : {130012, 150004, 180001}) {
    FakeSession session(version_num);
    session.AddResult("sequences", kColumns, {});
    const model::Snapshot s = Collect(session);
    SCOPED_TRACE(version_num);
    EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk);
    EXPECT_NE(session.pipelines()[0][0].sql.find("has_sequence_privilege"), std::string::npos);
  }
}

}  // namespace
}  // namespace pgvigil::collect
