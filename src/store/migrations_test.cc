// SPDX-License-Identifier: Apache-2.0
#include "store/migrations.h"

#include <gtest/gtest.h>

#include "store/sqlite_history_store.h"
#include "store/store_test_support.h"

namespace pgvigil::store {
namespace {

using testing::At;
using testing::TempDir;

std::vector<Migration> Parse(std::vector<common::EmbeddedFile> files) {
  auto parsed = ParseMigrations(files);
  EXPECT_TRUE(parsed.has_value()) << parsed.error().ToString();
  return parsed.value_or(std::vector<Migration>{});
}

std::int64_t Count(SqliteDb& db, const std::string& sql) {
  auto q = db.Prepare(sql);
  EXPECT_TRUE(q.has_value()) << q.error().ToString();
  auto row = q->Step();
  EXPECT_TRUE(row.has_value() && *row);
  return q->ColumnInt64(0);
}

TEST(Migrations, BuiltinOnesAreNumberedFromOne) {
  ASSERT_FALSE(BuiltinMigrations().empty());
  EXPECT_EQ(BuiltinMigrations()[0].version, 1);
  EXPECT_EQ(BuiltinMigrations()[0].name, "0001_init.sql");
  EXPECT_EQ(BuiltinMigrations()[0].checksum.size(), 16u);
}

TEST(Migrations, ApplyOnANewFileAndNothingOnReopen) {
  TempDir dir;
  const std::string path = dir.File("h.db");
  {
    auto db = SqliteDb::Open(path);
    ASSERT_TRUE(db.has_value()) << db.error().ToString();
    auto applied = ApplyMigrations(*db, BuiltinMigrations(), At(1000));
    ASSERT_TRUE(applied.has_value()) << applied.error().ToString();
    EXPECT_EQ(*applied, static_cast<int>(BuiltinMigrations().size()));
    EXPECT_EQ(Count(*db, "SELECT count(*) FROM schema_migrations"),
              static_cast<std::int64_t>(BuiltinMigrations().size()));
    EXPECT_EQ(Count(*db, "SELECT applied_at FROM schema_migrations WHERE version = 1"),
              1'000'000'000);
  }
  auto db = SqliteDb::Open(path);
  ASSERT_TRUE(db.has_value());
  auto again = ApplyMigrations(*db, BuiltinMigrations(), At(2000));
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(Count(*db, "SELECT applied_at FROM schema_migrations WHERE version = 1"),
            1'000'000'000);
  // And the store opens on it.
  auto store = SqliteHistoryStore::Open(path);
  EXPECT_TRUE(store.has_value()) << store.error().ToString();
}

TEST(Migrations, OnlyPendingOnesAreAppliedInOrder) {
  TempDir dir;
  auto db = SqliteDb::Open(dir.File("m.db"));
  ASSERT_TRUE(db.has_value());
  const auto one = Parse({{"0001_a.sql", "CREATE TABLE a (x INTEGER);"}});
  const auto two = Parse(
      {{"0002_b.sql", "INSERT INTO a VALUES (2);"}, {"0001_a.sql", "CREATE TABLE a (x INTEGER);"}});
  ASSERT_EQ(two[0].name, "0001_a.sql");
  EXPECT_EQ(ApplyMigrations(*db, one, At(1)).value_or(-1), 1);
  EXPECT_EQ(ApplyMigrations(*db, two, At(2)).value_or(-1), 1);
  EXPECT_EQ(Count(*db, "SELECT count(*) FROM a"), 1);
}

TEST(Migrations, RefuseAnAppliedMigrationThatWasEdited) {
  TempDir dir;
  auto db = SqliteDb::Open(dir.File("m.db"));
  ASSERT_TRUE(db.has_value());
  ASSERT_TRUE(
      ApplyMigrations(*db, Parse({{"0001_a.sql", "CREATE TABLE a (x INTEGER);"}}), At(1)).ok());
  const auto edited = Parse({{"0001_a.sql", "CREATE TABLE a (x INTEGER, y TEXT);"}});
  auto refused = ApplyMigrations(*db, edited, At(2));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), common::StatusCode::kInternal);
  EXPECT_NE(refused.error().message().find("migration 0001_a.sql was changed"), std::string::npos)
      << refused.error().message();
}

TEST(Migrations, StoreRefusesToOpenWhenTheRecordedChecksumDiffers) {
  TempDir dir;
  const std::string path = dir.File("h.db");
  ASSERT_TRUE(SqliteHistoryStore::Open(path).has_value());
  {
    auto db = SqliteDb::Open(path);
    ASSERT_TRUE(db.has_value());
    ASSERT_TRUE(db->Exec("UPDATE schema_migrations SET checksum = '0123456789abcdef' "
                         "WHERE version = 1")
                    .ok());
  }
  auto store = SqliteHistoryStore::Open(path);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code(), common::StatusCode::kInternal);
  EXPECT_NE(store.error().message().find("0001_init.sql"), std::string::npos);
}

TEST(Migrations, RefuseADatabaseNewerThanTheBinary) {
  TempDir dir;
  const std::string path = dir.File("h.db");
  ASSERT_TRUE(SqliteHistoryStore::Open(path).has_value());
  {
    auto db = SqliteDb::Open(path);
    ASSERT_TRUE(db.has_value());
    ASSERT_TRUE(
        db->Exec("INSERT INTO schema_migrations VALUES (999, '0999_future.sql', 'x', 0)").ok());
  }
  auto store = SqliteHistoryStore::Open(path);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code(), common::StatusCode::kInvalidArgument);
  EXPECT_NE(store.error().message().find("0999_future.sql"), std::string::npos)
      << store.error().message();
}

TEST(Migrations, AFailingMigrationLeavesNoTraceAndIsNamed) {
  TempDir dir;
  auto db = SqliteDb::Open(dir.File("m.db"));
  ASSERT_TRUE(db.has_value());
  const auto migrations =
      Parse({{"0001_a.sql", "CREATE TABLE a (x INTEGER);"},
             {"0002_b.sql", "CREATE TABLE b (x); INSERT INTO nowhere VALUES (1);"}});
  auto failed = ApplyMigrations(*db, migrations, At(1));
  ASSERT_FALSE(failed.has_value());
  EXPECT_NE(failed.error().message().find("0002_b.sql"), std::string::npos);
  EXPECT_NE(failed.error().message().find("no such table: nowhere"), std::string::npos)
      << failed.error().message();
  EXPECT_EQ(Count(*db, "SELECT max(version) FROM schema_migrations"), 1);
  EXPECT_EQ(Count(*db, "SELECT count(*) FROM sqlite_master WHERE name = 'b'"), 0);
}

TEST(Migrations, NamesMustBeNumberedWithoutGaps) {
  EXPECT_FALSE(ParseMigrations(std::vector<common::EmbeddedFile>{{"init.sql", ""}}).has_value());
  EXPECT_FALSE(
      ParseMigrations(std::vector<common::EmbeddedFile>{{"0001_a.sql", ""}, {"0003_c.sql", ""}})
          .has_value());
  EXPECT_NE(MigrationChecksum("a"), MigrationChecksum("b"));
}

}  // namespace
}  // namespace pgvigil::store
