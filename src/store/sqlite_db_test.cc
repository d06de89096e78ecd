// SPDX-License-Identifier: Apache-2.0
#include "store/sqlite_db.h"

#include <gtest/gtest.h>

#include "store/store_test_support.h"

namespace pgvigil::store {
namespace {

std::int64_t One(SqliteDb& db, const std::string& sql) {
  auto q = db.Prepare(sql);
  EXPECT_TRUE(q.has_value()) << q.error().ToString();
  auto row = q->Step();
  EXPECT_TRUE(row.has_value() && *row);
  return q->ColumnInt64(0);
}

TEST(SqliteDb, OpensInWalModeWithForeignKeysAndNormalSync) {
  testing::TempDir dir;
  auto db = SqliteDb::Open(dir.File("a.db"));
  ASSERT_TRUE(db.has_value()) << db.error().ToString();
  auto mode = db->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.has_value());
  ASSERT_TRUE(mode->Step().value_or(false));
  EXPECT_EQ(mode->ColumnText(0), "wal");
  EXPECT_EQ(One(*db, "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(One(*db, "PRAGMA synchronous"), 1);  // NORMAL
}

TEST(SqliteDb, ReleaseMemoryEmptiesThePageCache) {
  testing::TempDir dir;
  auto db = SqliteDb::Open(dir.File("a.db"));
  ASSERT_TRUE(db.has_value());
  ASSERT_TRUE(db->Exec("CREATE TABLE t (x TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
                       "SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO t SELECT "
                       "printf('%.200c', 'x') FROM n")
                  .ok());
  EXPECT_EQ(One(*db, "SELECT count(*) FROM t WHERE x LIKE '%y%'"), 0);
  const std::int64_t before = db->CacheBytes();
  EXPECT_GT(before, 100 * 1024);  // 2,000 rows of 200 bytes: ≈ 100 pages
  db->ReleaseMemory();
  EXPECT_LT(db->CacheBytes(), before / 4);
}

TEST(SqliteDb, ErrorsCarrySqlitesMessage) {
  testing::TempDir dir;
  auto db = SqliteDb::Open(dir.File("a.db"));
  ASSERT_TRUE(db.has_value());
  auto bad = db->Prepare("SELECT * FROM missing_table");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("no such table: missing_table"), std::string::npos);
  auto none = SqliteDb::Open(dir.File("no/such/dir/a.db"));
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code(), common::StatusCode::kUnavailable);
}

TEST(SqliteDb, TransactionRollsBackUnlessCommitted) {
  testing::TempDir dir;
  auto db = SqliteDb::Open(dir.File("a.db"));
  ASSERT_TRUE(db.has_value());
  ASSERT_TRUE(db->Exec("CREATE TABLE t (x INTEGER NOT NULL)").ok());
  {
    auto tx = Transaction::Begin(*db);
    ASSERT_TRUE(tx.has_value());
    ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1)").ok());
  }
  EXPECT_EQ(One(*db, "SELECT count(*) FROM t"), 0);
  {
    auto tx = Transaction::Begin(*db);
    ASSERT_TRUE(tx.has_value());
    auto insert = db->Prepare("INSERT INTO t VALUES (?1)");
    ASSERT_TRUE(insert.has_value());
    ASSERT_TRUE(insert->BindInt64(1, 7).ok());
    ASSERT_TRUE(insert->Run().ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  EXPECT_EQ(One(*db, "SELECT x FROM t"), 7);
  EXPECT_FALSE(db->InTransaction());
}

TEST(SqliteDb, DurableTransactionCommitsWithFullSyncThenRestoresNormal) {
  testing::TempDir dir;
  auto db = SqliteDb::Open(dir.File("a.db"));
  ASSERT_TRUE(db.has_value());
  ASSERT_TRUE(db->Exec("CREATE TABLE alerts (x INTEGER)").ok());
  {
    auto tx = DurableTransaction::Begin(*db);
    ASSERT_TRUE(tx.has_value()) << tx.error().ToString();
    EXPECT_EQ(One(*db, "PRAGMA synchronous"), 2);  // FULL for this commit
    ASSERT_TRUE(db->Exec("INSERT INTO alerts VALUES (1)").ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  EXPECT_EQ(One(*db, "PRAGMA synchronous"), 1);
  EXPECT_EQ(One(*db, "SELECT count(*) FROM alerts"), 1);
  {
    auto tx = DurableTransaction::Begin(*db);
    ASSERT_TRUE(tx.has_value());
    ASSERT_TRUE(db->Exec("INSERT INTO alerts VALUES (2)").ok());
  }  // rolled back
  EXPECT_EQ(One(*db, "PRAGMA synchronous"), 1);
  EXPECT_EQ(One(*db, "SELECT count(*) FROM alerts"), 1);
}

TEST(SqliteDb, CachedStatementsArePreparedOnceAndComeBackReset) {
  testing::TempDir dir;
  auto db = SqliteDb::Open(dir.File("a.db"));
  ASSERT_TRUE(db.has_value());
  ASSERT_TRUE(db->Exec("CREATE TABLE t (x INTEGER NOT NULL); INSERT INTO t VALUES (1), (2)").ok());
  const char* sql = "SELECT x FROM t WHERE x >= ?1 ORDER BY x";
  SqliteStatement* first = nullptr;
  {
    auto q = db->Cached(sql);
    ASSERT_TRUE(q.has_value()) << q.error().ToString();
    first = &**q;
    ASSERT_TRUE((*q)->BindInt64(1, 2).ok());
    ASSERT_TRUE((*q)->Step().value_or(false));
    EXPECT_EQ((*q)->ColumnInt64(0), 2);
    // Left after its first row: the lease resets it, so no read stays open.
  }
  {
    auto q = db->Cached(sql);
    ASSERT_TRUE(q.has_value());
    EXPECT_EQ(&**q, first);  // the same statement, not prepared again
    // No binding left from the last use: NULL matches nothing.
    EXPECT_FALSE((*q)->Step().value_or(true));
  }
  EXPECT_EQ(db->CachedCountForTest(), 1u);
  // A cached statement survives a change of the schema (SQLite prepares it again itself).
  ASSERT_TRUE(db->Exec("CREATE INDEX t_x ON t (x)").ok());
  auto q = db->Cached(sql);
  ASSERT_TRUE(q.has_value());
  ASSERT_TRUE((*q)->BindInt64(1, 1).ok());
  ASSERT_TRUE((*q)->Step().value_or(false));
  EXPECT_EQ((*q)->ColumnInt64(0), 1);
}

TEST(SqliteDb, TotalChangesCountsEveryRowWritten) {
  testing::TempDir dir;
  auto db = SqliteDb::Open(dir.File("a.db"));
  ASSERT_TRUE(db.has_value());
  ASSERT_TRUE(db->Exec("CREATE TABLE t (x INTEGER NOT NULL)").ok());
  const std::int64_t before = db->TotalChanges();
  ASSERT_TRUE(db->Exec("INSERT INTO t VALUES (1), (2), (3); UPDATE t SET x = 0 WHERE x > 1").ok());
  EXPECT_EQ(db->TotalChanges() - before, 5);
}

}  // namespace
}  // namespace pgvigil::store
