// SPDX-License-Identifier: Apache-2.0
// Tables, indexes, sequences and sizes: real dead tuples, real scans, real duplicate and
// invalid indexes, a real exclusive lock; collected as the pg_monitor-only role.
#include <thread>

#include "integration/integration_helpers.h"

namespace pgvigil::testing {
namespace {

using collect::Tier;

const model::IndexStats* FindIndex(const model::Snapshot& s, const std::string& name) {
  auto it = std::find_if(s.indexes.begin(), s.indexes.end(),
                         [&](const model::IndexStats& i) { return i.indexrelname == name; });
  return it == s.indexes.end() ? nullptr : &*it;
}

TEST(RelationsIntegration, CountsDeadTuplesExactlyOnATableWithoutAutovacuum) {
  const std::string t = UniqueName("dead");
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE TABLE " + t + " (id int primary key, v text) WITH (autovacuum_enabled = off)");
  admin.Exec("INSERT INTO " + t + " SELECT g, 'x' FROM generate_series(1, 1000) g");
  admin.Exec("DELETE FROM " + t + " WHERE id <= 300");
  FlushStats(admin);
  model::Snapshot s;
  const model::TableStats* table = nullptr;
  ASSERT_TRUE(Eventually([&] {
    s = CollectTiers({Tier::kSlow});
    table = FindByName(s.tables, t);
    return table != nullptr && table->n_dead_tup == 300;
  })) << "n_dead_tup never reached 300: " << (table ? table->n_dead_tup : -1);
  EXPECT_EQ(OutcomeOf(s, "stat_user_tables").status, model::CollectorStatus::kOk);
  EXPECT_EQ(table->n_live_tup, 700);
  EXPECT_EQ(table->n_tup_ins, 1000);
  EXPECT_EQ(table->n_tup_del, 300);
  EXPECT_EQ(table->schemaname, "public");
  EXPECT_EQ(table->datname, "pgvigil_test");
  ASSERT_TRUE(table->reloptions.autovacuum_enabled.has_value());
  EXPECT_FALSE(*table->reloptions.autovacuum_enabled);
  EXPECT_FALSE(table->last_autovacuum.has_value());
  admin.Exec("DROP TABLE " + t);
}

TEST(RelationsIntegration, CountsIndexScansExactlyAndSeesANeverScannedIndex) {
  const std::string t = UniqueName("scans");
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE TABLE " + t + " (id int, other int)");
  admin.Exec("INSERT INTO " + t + " SELECT g, g FROM generate_series(1, 2000) g");
  admin.Exec("CREATE INDEX " + t + "_used ON " + t + " (id)");
  admin.Exec("CREATE INDEX " + t + "_unused ON " + t + " (other)");
  admin.Exec("ANALYZE " + t);
  admin.Exec("SET enable_seqscan = off; SET enable_bitmapscan = off");
  constexpr int kScans = 7;
  for (int i = 1; i <= kScans; ++i) admin.Exec("SELECT id FROM " + t + " WHERE id = " + std::to_string(i));
  FlushStats(admin);
  model::Snapshot s;
  ASSERT_TRUE(Eventually([&] {
    s = CollectTiers({Tier::kSlow});
    const model::IndexStats* used = FindIndex(s, t + "_used");
    return used != nullptr && used->idx_scan == kScans;
  }));
  const model::IndexStats* used = FindIndex(s, t + "_used");
  const model::IndexStats* unused = FindIndex(s, t + "_unused");
  ASSERT_NE(unused, nullptr);
  EXPECT_EQ(unused->idx_scan, 0);
  EXPECT_EQ(used->key_columns, std::vector<std::string>{"id"});
  EXPECT_EQ(used->access_method, "btree");
  EXPECT_GT(used->relpages, 0);
  admin.Exec("DROP TABLE " + t);
}

TEST(RelationsIntegration, DescribesTwoIdenticalIndexesIdentically) {
  const std::string t = UniqueName("dup");
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE TABLE " + t + " (id int primary key, email text, created date)");
  admin.Exec("CREATE INDEX " + t + "_a ON " + t + " (lower(email), created DESC) WHERE id > 0");
  admin.Exec("CREATE INDEX " + t + "_b ON " + t + " (lower(email), created DESC) WHERE id > 0");
  const model::Snapshot s = CollectTiers({Tier::kSlow});
  ASSERT_EQ(OutcomeOf(s, "stat_user_indexes").status, model::CollectorStatus::kOk)
      << OutcomeOf(s, "stat_user_indexes").message;
  const model::IndexStats* a = FindIndex(s, t + "_a");
  const model::IndexStats* b = FindIndex(s, t + "_b");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->relid, b->relid);
  EXPECT_EQ(a->key_columns, b->key_columns);
  EXPECT_EQ(a->key_columns.size(), 2u);
  EXPECT_NE(a->key_columns[0].find("lower"), std::string::npos);
  EXPECT_EQ(a->opclasses, b->opclasses);
  EXPECT_EQ(a->indoption, b->indoption);
  EXPECT_EQ(a->indoption[1] & 1, 1);  // DESC
  EXPECT_EQ(a->predicate, b->predicate);
  EXPECT_FALSE(a->predicate.empty());
  const model::IndexStats* pk = FindIndex(s, t + "_pkey");
  ASSERT_NE(pk, nullptr);
  EXPECT_TRUE(pk->indisprimary);
  EXPECT_EQ(pk->constraint_type, "p");
  EXPECT_EQ(a->constraint_type, "");
  admin.Exec("DROP TABLE " + t);
}

TEST(RelationsIntegration, SeesTheInvalidIndexOfAFailedConcurrentBuild) {
  const std::string t = UniqueName("inv");
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE TABLE " + t + " (v int)");
  admin.Exec("INSERT INTO " + t + " VALUES (1), (1)");
  const std::string error =
      admin.ExecExpectError("CREATE UNIQUE INDEX CONCURRENTLY " + t + "_uniq ON " + t + " (v)");
  ASSERT_NE(error.find("could not create unique index"), std::string::npos) << error;
  const model::Snapshot s = CollectTiers({Tier::kSlow});
  const model::IndexStats* idx = FindIndex(s, t + "_uniq");
  ASSERT_NE(idx, nullptr);
  EXPECT_FALSE(idx->indisvalid);
  EXPECT_TRUE(idx->indisunique);
  admin.Exec("DROP TABLE " + t);
}

TEST(RelationsIntegration, ReadsASequenceNearItsMaximumOnlyWhenGranted) {
  const std::string seq = UniqueName("seq");
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE TABLE " + seq + "_t (id serial primary key)");  // integer column, int sequence
  admin.Exec("SELECT setval('" + seq + "_t_id_seq', 2040109465)");   // 95 % of 2^31 - 1
  auto find = [&](const model::Snapshot& s) -> const model::SequenceStats* {
    for (const auto& q : s.sequences) {
      if (q.sequencename == seq + "_t_id_seq") return &q;
    }
    return nullptr;
  };
  model::Snapshot s = CollectTiers({Tier::kSlow});
  const model::SequenceStats* hidden = find(s);
  ASSERT_NE(hidden, nullptr);
  EXPECT_FALSE(hidden->is_readable);
  EXPECT_FALSE(hidden->last_value.has_value());
  EXPECT_NE(OutcomeOf(s, "sequences").message.find("GRANT SELECT"), std::string::npos);

  admin.Exec("GRANT SELECT ON SEQUENCE " + seq + "_t_id_seq TO pgvigil_monitor");
  s = CollectTiers({Tier::kSlow});
  const model::SequenceStats* q = find(s);
  ASSERT_NE(q, nullptr);
  EXPECT_TRUE(q->is_readable);
  ASSERT_TRUE(q->last_value.has_value());
  EXPECT_EQ(*q->last_value, 2040109465);
  EXPECT_EQ(q->max_value, 2147483647);
  EXPECT_EQ(q->data_type, "integer");
  EXPECT_EQ(q->column_type, "integer");
  EXPECT_NE(q->owned_by.find(seq + "_t"), std::string::npos);
  admin.Exec("DROP TABLE " + seq + "_t");
}

// Somebody holds ACCESS EXCLUSIVE on a table: size functions and index deparsing would queue
// behind it (and everything queued behind them). The collection skips it and stays fast.
TEST(RelationsIntegration, SkipsAnExclusivelyLockedTableInsteadOfWaiting) {
  const std::string t = UniqueName("locked");
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("CREATE TABLE " + t + " (id int primary key, pad text)");
  // Make it one of the largest relations, so the storage collector would measure it.
  admin.Exec("INSERT INTO " + t + " SELECT g, repeat('x', 500) FROM generate_series(1, 20000) g");
  admin.Exec("VACUUM ANALYZE " + t);
  TestConnection holder(Sandbox().admin_dsn);
  holder.Exec("BEGIN; LOCK TABLE " + t + " IN ACCESS EXCLUSIVE MODE");

  const auto start = std::chrono::steady_clock::now();
  const model::Snapshot s = CollectAll();
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::seconds(2));
  for (const auto& o : s.outcomes) EXPECT_EQ(o.status, model::CollectorStatus::kOk) << o.collector << ": " << o.message;
  const auto skipped = std::find_if(s.skipped_relations.begin(), s.skipped_relations.end(),
                                    [&](const model::SkippedRelation& r) { return r.relname == t; });
  ASSERT_NE(skipped, s.skipped_relations.end());
  EXPECT_NE(skipped->reason.find("AccessExclusiveLock"), std::string::npos) << skipped->reason;
  EXPECT_NE(skipped->reason.find(std::to_string(holder.backend_pid())), std::string::npos)
      << skipped->reason;
  EXPECT_EQ(FindByName(s.largest_relations, t), nullptr);
  // pg_stat_user_tables takes no lock on the table: its counters are still there.
  EXPECT_NE(FindByName(s.tables, t), nullptr);
  holder.Exec("ROLLBACK");

  // Unlocked, the same table is measured.
  const model::Snapshot after = CollectTiers({Tier::kSlow});
  const model::RelationSize* size = FindByName(after.largest_relations, t);
  ASSERT_NE(size, nullptr);
  EXPECT_GT(size->total_bytes, 10 * 1000 * 1000);
  EXPECT_GE(size->total_bytes, size->table_bytes + size->indexes_bytes);
  admin.Exec("DROP TABLE " + t);
}

TEST(RelationsIntegration, MeasuresEveryConnectableDatabase) {
  const model::Snapshot s = CollectTiers({Tier::kSlow});
  auto it = std::find_if(s.database_sizes.begin(), s.database_sizes.end(),
                         [](const model::DatabaseSize& d) { return d.datname == "pgvigil_test"; });
  ASSERT_NE(it, s.database_sizes.end());
  EXPECT_GT(it->size_bytes, 1000000);
  for (const auto& d : s.database_sizes) EXPECT_NE(d.datname, "template0");
}

}  // namespace
}  // namespace pgvigil::testing
