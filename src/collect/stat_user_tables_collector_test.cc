// SPDX-License-Identifier: Apache-2.0
#include "collect/stat_user_tables_collector.h"

#include <gtest/gtest.h>

#include "collect/collection.h"
#include "support/fake_session.h"

namespace pgvigil::collect {
namespace {

using testing::FakeSession;

model::Snapshot Collect(FakeSession& session) {
  model::Snapshot snapshot;
  const StatUserTablesCollector collector;
  const Collector* const collectors[] = {&collector};
  const Tier tiers[] = {Tier::kSlow};
  RunCollectors(session, collectors, tiers, CollectorOptions{}, QueryCatalog::Builtin(), snapshot);
  return snapshot;
}

// The columns every variant selects (PostgreSQL 13).
std::vector<std::string> BaseColumns() {
  return {"datname",
          "relid",
          "schemaname",
          "relname",
          "relkind",
          "seq_scan",
          "seq_tup_read",
          "idx_scan",
          "idx_tup_fetch",
          "n_tup_ins",
          "n_tup_upd",
          "n_tup_del",
          "n_tup_hot_upd",
          "n_live_tup",
          "n_dead_tup",
          "n_mod_since_analyze",
          "n_ins_since_vacuum",
          "last_vacuum",
          "last_autovacuum",
          "last_analyze",
          "last_autoanalyze",
          "vacuum_count",
          "autovacuum_count",
          "analyze_count",
          "autoanalyze_count",
          "heap_blks_read",
          "heap_blks_hit",
          "idx_blks_read",
          "idx_blks_hit",
          "toast_blks_read",
          "toast_blks_hit",
          "reltuples",
          "relpages",
          "relallvisible",
          "estimated_size_bytes",
          "relfrozenxid_age",
          "relminmxid_age",
          "is_unlogged",
          "reloptions"};
}

using Row = std::vector<std::optional<std::string>>;

Row BaseRow(std::string relname) {
  return {"app",        "16384",
          "public",     std::move(relname),
          "r",          "12",
          "3400",       "7",
          "70",         "100",
          "20",         "5",
          "15",         "95",
          "25",         "30",
          "40",         "1700000000.5",
          std::nullopt, "1700000100",
          std::nullopt, "1",
          "0",          "2",
          "0",          "11",
          "900",        "3",
          "300",        std::nullopt,
          std::nullopt, "95",
          "10",         "8",
          "81920",      "1234",
          "56",         "f",
          std::nullopt};
}

TEST(StatUserTablesCollector, ReadsATableWithNullsAsEmptyOptionals) {
  FakeSession session(150004);
  session.AddResult("stat_user_tables", BaseColumns(), {BaseRow("orders")});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk) << s.outcomes[0].message;
  EXPECT_EQ(s.outcomes[0].tier, "slow");
  ASSERT_EQ(s.tables.size(), 1u);
  const model::TableStats& t = s.tables[0];
  EXPECT_EQ(t.datname, "app");
  EXPECT_EQ(t.relid, 16384u);
  EXPECT_EQ(t.relname, "orders");
  EXPECT_EQ(t.relkind, "r");
  EXPECT_EQ(*t.idx_scan, 7);
  EXPECT_EQ(t.n_dead_tup, 25);
  EXPECT_EQ(t.n_ins_since_vacuum, 40);
  ASSERT_TRUE(t.last_vacuum.has_value());
  EXPECT_EQ(*t.last_vacuum, common::TimestampFromEpochSeconds(1700000000.5));
  EXPECT_FALSE(t.last_autovacuum.has_value());
  EXPECT_FALSE(t.toast_blks_read.has_value());  // no TOAST table
  EXPECT_EQ(*t.heap_blks_hit, 900);
  EXPECT_DOUBLE_EQ(t.reltuples, 95);
  EXPECT_EQ(t.estimated_size_bytes, 81920);
  EXPECT_EQ(t.relfrozenxid_age, 1234);
  EXPECT_EQ(t.relminmxid_age, 56);
  EXPECT_FALSE(t.is_unlogged);
  EXPECT_FALSE(t.reloptions.autovacuum_enabled.has_value());
}

TEST(StatUserTablesCollector, LeavesColumnsOfNewerMajorsEmptyOn15) {
  FakeSession session(150004);
  session.AddResult("stat_user_tables", BaseColumns(), {BaseRow("orders")});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.tables.size(), 1u);
  EXPECT_FALSE(s.tables[0].last_seq_scan.has_value());
  EXPECT_FALSE(s.tables[0].last_idx_scan.has_value());
  EXPECT_FALSE(s.tables[0].n_tup_newpage_upd.has_value());
  EXPECT_FALSE(s.tables[0].total_vacuum_time.has_value());
}

TEST(StatUserTablesCollector, ReadsThe16And18ColumnsWhenPresent) {
  FakeSession session(180001);
  std::vector<std::string> columns = BaseColumns();
  Row row = BaseRow("orders");
  for (const auto& [column, value] :
       std::vector<std::pair<std::string, std::string>>{{"last_seq_scan", "1700000200"},
                                                        {"last_idx_scan", "1700000300"},
                                                        {"n_tup_newpage_upd", "4"},
                                                        {"total_vacuum_time", "12.5"},
                                                        {"total_autovacuum_time", "0"},
                                                        {"total_analyze_time", "3.25"},
                                                        {"total_autoanalyze_time", "0"}}) {
    columns.push_back(column);
    row.push_back(value);
  }
  session.AddResult("stat_user_tables", columns, {row});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.tables.size(), 1u);
  const model::TableStats& t = s.tables[0];
  EXPECT_EQ(*t.last_seq_scan, common::TimestampFromEpochSeconds(1700000200));
  EXPECT_EQ(*t.n_tup_newpage_upd, 4);
  EXPECT_DOUBLE_EQ(*t.total_vacuum_time, 12.5);
  EXPECT_DOUBLE_EQ(*t.total_analyze_time, 3.25);
}

TEST(StatUserTablesCollector, PicksTheVariantByServerMajor) {
  const auto sql_for = [](int version_num) {
    FakeSession session(version_num);
    session.AddResult("stat_user_tables", BaseColumns(), {});
    Collect(session);
    return session.pipelines().at(0).at(0).sql;
  };
  const std::string pg13 = sql_for(130012);
  const std::string pg15 = sql_for(150004);
  const std::string pg16 = sql_for(160003);
  const std::string pg17 = sql_for(170001);
  const std::string pg18 = sql_for(180001);
  EXPECT_EQ(pg13, pg15);
  EXPECT_EQ(pg15.find("last_seq_scan"), std::string::npos);
  EXPECT_NE(pg16.find("last_seq_scan"), std::string::npos);
  EXPECT_NE(pg16.find("n_tup_newpage_upd"), std::string::npos);
  EXPECT_EQ(pg16.find("total_vacuum_time"), std::string::npos);
  EXPECT_EQ(pg16, pg17);
  EXPECT_NE(pg18.find("total_autoanalyze_time"), std::string::npos);
}

TEST(StatUserTablesCollector, ReadsAPartitionedTableWithoutStorage) {
  FakeSession session;
  Row row = BaseRow("events");
  row[4] = "p";
  for (size_t i = 25; i <= 30; ++i) row[i] = std::nullopt;  // pg_statio_* has no row for it
  row[35] = std::nullopt;                                   // relfrozenxid_age
  row[36] = std::nullopt;                                   // relminmxid_age
  session.AddResult("stat_user_tables", BaseColumns(), {row});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.tables.size(), 1u);
  EXPECT_EQ(s.tables[0].relkind, "p");
  EXPECT_FALSE(s.tables[0].heap_blks_read.has_value());
  EXPECT_EQ(s.tables[0].relfrozenxid_age, 0);
}

TEST(StatUserTablesCollector, ParsesTheReloptionsArrayOfARow) {
  FakeSession session;
  Row row = BaseRow("queue");
  row.back() =
      "{fillfactor=70,autovacuum_enabled=false,autovacuum_vacuum_scale_factor=0.01,"
      "autovacuum_vacuum_threshold=1000}";
  row[37] = "t";  // is_unlogged
  session.AddResult("stat_user_tables", BaseColumns(), {row});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.tables.size(), 1u);
  const model::AutovacuumReloptions& o = s.tables[0].reloptions;
  EXPECT_EQ(o.autovacuum_enabled, false);
  EXPECT_EQ(o.autovacuum_vacuum_scale_factor, 0.01);
  EXPECT_EQ(o.autovacuum_vacuum_threshold, 1000);
  EXPECT_FALSE(o.autovacuum_analyze_threshold.has_value());
  EXPECT_TRUE(s.tables[0].is_unlogged);
}

TEST(StatUserTablesCollector, AMissingRequiredColumnIsAnError) {
  FakeSession session;
  std::vector<std::string> columns = BaseColumns();
  Row row = BaseRow("orders");
  columns.erase(columns.begin() + 13);  // n_live_tup
  row.erase(row.begin() + 13);
  session.AddResult("stat_user_tables", columns, {row});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kError);
  EXPECT_NE(s.outcomes[0].message.find("n_live_tup"), std::string::npos);
}

TEST(ParseAutovacuumReloptions, ReadsBooleansAsPostgreSQLDoes) {
  const auto enabled = [](std::string value) {
    const std::string option = "autovacuum_enabled=" + value;
    return ParseAutovacuumReloptions(std::span<const std::string>(&option, 1)).autovacuum_enabled;
  };
  for (const char* yes : {"true", "on", "TRUE", "t", "yes", "y", "1", "On"}) {
    EXPECT_EQ(enabled(yes), true) << yes;
  }
  for (const char* no : {"false", "off", "of", "f", "no", "n", "0", "OFF"}) {
    EXPECT_EQ(enabled(no), false) << no;
  }
  for (const char* bad : {"o", "", "maybe", "2"}) {
    EXPECT_FALSE(enabled(bad).has_value()) << bad;
  }
}

TEST(ParseAutovacuumReloptions, ReadsIntegersAndRealsAsPostgreSQLDoes) {
  const std::vector<std::string> options = {
      "autovacuum_vacuum_threshold=0x10",         "autovacuum_analyze_threshold=1e3",
      "autovacuum_freeze_max_age=100000000",      "autovacuum_vacuum_insert_threshold=-1",
      "autovacuum_multixact_freeze_max_age=2.6",  "autovacuum_vacuum_max_threshold=100000000",
      "autovacuum_vacuum_scale_factor=0",         "autovacuum_analyze_scale_factor=5e-3",
      "autovacuum_vacuum_insert_scale_factor=.2",
  };
  const model::AutovacuumReloptions o = ParseAutovacuumReloptions(options);
  EXPECT_EQ(o.autovacuum_vacuum_threshold, 16);
  EXPECT_EQ(o.autovacuum_analyze_threshold, 1000);
  EXPECT_EQ(o.autovacuum_freeze_max_age, 100000000);
  EXPECT_EQ(o.autovacuum_vacuum_insert_threshold, -1);
  EXPECT_EQ(o.autovacuum_multixact_freeze_max_age, 3);
  EXPECT_EQ(o.autovacuum_vacuum_max_threshold, 100000000);
  EXPECT_EQ(o.autovacuum_vacuum_scale_factor, 0.0);
  EXPECT_EQ(o.autovacuum_analyze_scale_factor, 0.005);
  EXPECT_EQ(o.autovacuum_vacuum_insert_scale_factor, 0.2);
  EXPECT_FALSE(o.autovacuum_enabled.has_value());
}

TEST(ParseAutovacuumReloptions, IgnoresOtherOptionsAndUnreadableValues) {
  const std::vector<std::string> options = {"fillfactor=70",
                                            "toast_tuple_target=4096",
                                            "autovacuum_vacuum_threshold=lots",
                                            "autovacuum_vacuum_scale_factor=",
                                            "no_equals_sign",
                                            "user_catalog_table=true"};
  const model::AutovacuumReloptions o = ParseAutovacuumReloptions(options);
  EXPECT_FALSE(o.autovacuum_vacuum_threshold.has_value());
  EXPECT_FALSE(o.autovacuum_vacuum_scale_factor.has_value());
  EXPECT_FALSE(o.autovacuum_enabled.has_value());
}

}  // namespace
}  // namespace pgvigil::collect
