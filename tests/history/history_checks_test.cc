// SPDX-License-Identifier: Apache-2.0
// The three checks that judge history (query.regression, storage.size_limit, index.unused),
// fed the way the daemon feeds them: samples recorded in the SQLite store, read back with
// LoadHistory, and passed to analysis::Analyze as its History.
#include <gtest/gtest.h>

#include <algorithm>

#include "analysis/analyzer.h"
#include "store/sqlite_history_store.h"
#include "store/store_test_support.h"
#include "support/check_runner.h"

namespace pgvigil {
namespace {

using common::TimestampFromEpochSeconds;
constexpr double kT0 = 1'800'000'000;
constexpr double kDay = 86400;
constexpr double kGB = 1024.0 * 1024 * 1024;

model::Snapshot Sample(double at, std::string tier) {
  model::Snapshot s;
  s.target = "prod";
  s.collected_at = TimestampFromEpochSeconds(at);
  s.tiers = {std::move(tier)};
  s.server.postmaster_start_time = TimestampFromEpochSeconds(1000);
  s.server.current_user = "pgvigil";
  return s;
}

model::StatementStats Stmt(std::int64_t calls, double total_ms) {
  model::StatementStats s = testing::Statement(42, calls, total_ms);
  s.query = "select * from orders where id = $1";
  return s;
}

model::Snapshot Statements(double at, std::int64_t calls, double total_ms) {
  model::Snapshot s = Sample(at, "standard");
  s.outcomes = {testing::OkOutcome("stat_statements")};
  s.statements = {Stmt(calls, total_ms)};
  return s;
}

model::IndexStats Unused() {
  model::IndexStats i;
  i.datname = "shop";
  i.schemaname = "public";
  i.relname = "orders";
  i.indexrelname = "orders_note_idx";
  i.access_method = "btree";
  i.estimated_size_bytes = 200LL * 1024 * 1024;
  i.relpages = i.estimated_size_bytes / 8192;
  return i;
}

model::Snapshot Slow(double at, double gb) {
  model::Snapshot s = Sample(at, "slow");
  s.outcomes = {testing::OkOutcome("storage"), testing::OkOutcome("stat_user_indexes")};
  s.database_sizes = {{"shop", static_cast<std::int64_t>(gb * kGB)}};
  s.indexes = {Unused()};
  return s;
}

struct Fixture {
  store::testing::TempDir dir;
  std::unique_ptr<store::SqliteHistoryStore> history_store;
  Fixture() {
    auto opened = store::SqliteHistoryStore::Open(dir.File("history.db"));
    EXPECT_TRUE(opened.has_value()) << opened.error().ToString();
    history_store = std::move(*opened);
  }

  // Loads the history and analyses `now` (with `previous`) against it.
  std::vector<model::Finding> Analyze(const model::Snapshot& now, const model::Snapshot* previous,
                                      const analysis::Thresholds& thresholds = {}) {
    auto loaded =
        history_store->LoadHistory("prod", now.collected_at - std::chrono::hours(24 * 30), 10000);
    EXPECT_TRUE(loaded.has_value()) << loaded.error().ToString();
    snapshots = std::move(*loaded);
    analysis::History history;
    for (const model::Snapshot& s : snapshots) history.snapshots.push_back(&s);
    const analysis::CheckInput input{now, previous, history, thresholds};
    return analysis::Analyze(input).findings.Copy();
  }
  std::vector<model::Snapshot> snapshots;
};

const model::Finding* FindId(const std::vector<model::Finding>& findings, std::string_view id) {
  const auto it = std::find_if(findings.begin(), findings.end(),
                               [&](const model::Finding& f) { return f.id == id; });
  return it == findings.end() ? nullptr : &*it;
}

TEST(HistoryChecks, QueryRegressionJudgesAgainstStoredStatementSamples) {
  Fixture f;
  // 20 ms per call in every stored interval (statement samples five minutes apart).
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(
        f.history_store->RecordSnapshot(Statements(kT0 + 300 * i, 1000 + 100 * i, 20000 + 2000 * i))
            .ok());
  }
  const model::Snapshot previous = Statements(kT0 + 900, 1300, 26000);
  // The last interval: 50 calls at 60 ms.
  const model::Snapshot now = Statements(kT0 + 960, 1350, 26000 + 50 * 60);
  const auto findings = f.Analyze(now, &previous);
  ASSERT_EQ(f.snapshots.size(), 4u);
  const model::Finding* regression = FindId(findings, "query.regression");
  ASSERT_NE(regression, nullptr);
  EXPECT_EQ(regression->object, "queryid 42");
  EXPECT_DOUBLE_EQ(*regression->value, 3.0);
  EXPECT_EQ(regression->evidence[1],
            "history: 300 calls, 20 ms per call, over 15 min of earlier samples");
  // Without the stored history the same interval is not judged.
  analysis::History none;
  const analysis::CheckInput input{now, &previous, none, {}};
  EXPECT_EQ(FindId(analysis::Analyze(input).findings.Copy(), "query.regression"), nullptr);
}

TEST(HistoryChecks, StorageSizeLimitAndIndexUnusedJudgeStoredSlowSamples) {
  Fixture f;
  // Ten daily slow samples: 50 GB growing 2 GB a day, the index never scanned.
  for (int day = 0; day < 10; ++day) {
    ASSERT_TRUE(f.history_store->RecordSnapshot(Slow(kT0 + day * kDay, 50 + 2 * day)).ok());
  }
  const model::Snapshot now = Slow(kT0 + 10 * kDay, 70);
  const analysis::Thresholds limit(
      {{"storage.size_limit.limit_bytes", "prod", "*", {100 * kGB, {}}}});
  const auto findings = f.Analyze(now, nullptr, limit);
  ASSERT_EQ(f.snapshots.size(), 10u);

  const model::Finding* size = FindId(findings, "storage.size_limit");
  ASSERT_NE(size, nullptr);
  // 70 % of the limit is fine; 30 GB left at 2 GB a day is 15 days, under the 30-day warning.
  EXPECT_EQ(size->unit, "days");
  EXPECT_NEAR(*size->value, 15.0, 0.01);
  EXPECT_EQ(size->severity, model::Severity::kWarning);

  const model::Finding* unused = FindId(findings, "index.unused");
  ASSERT_NE(unused, nullptr);
  EXPECT_FALSE(unused->insufficient_data);  // ten days of samples prove it
  EXPECT_EQ(unused->severity, model::Severity::kWarning);
  EXPECT_NE(unused->message.find("has not been scanned for 10.0 days"), std::string::npos)
      << unused->message;

  // A scan recorded on day 9.5, then idx_scan back at 0 (a statistics reset of the table):
  // the history shows a scan a day ago, so ten days are no longer proven.
  model::Snapshot scanned = Slow(kT0 + 9.5 * kDay, 69);
  scanned.indexes[0].idx_scan = 1;
  ASSERT_TRUE(f.history_store->RecordSnapshot(scanned).ok());
  const model::Snapshot later = Slow(kT0 + 10.5 * kDay, 71);
  const auto again = f.Analyze(later, nullptr, limit);
  const model::Finding* lead = FindId(again, "index.unused");
  ASSERT_NE(lead, nullptr);
  EXPECT_TRUE(lead->insufficient_data);
}

}  // namespace
}  // namespace pgvigil
