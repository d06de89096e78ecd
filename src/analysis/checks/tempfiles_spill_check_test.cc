// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/tempfiles_spill_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

using common::TimestampFromEpochSeconds;
constexpr std::int64_t kMiB = 1024 * 1024;

model::Snapshot Sample(double at, std::int64_t temp_bytes, std::string datname = "shop",
                       double stats_reset = 100) {
  model::Snapshot s;
  s.target = "db1";
  s.collected_at = TimestampFromEpochSeconds(at);
  s.outcomes = {testing::OkOutcome("stat_database")};
  model::DatabaseStats d;
  d.datid = 5;
  d.datname = std::move(datname);
  d.temp_bytes = temp_bytes;
  d.temp_files = temp_bytes / kMiB;
  d.stats_reset = TimestampFromEpochSeconds(stats_reset);
  s.databases = {d};
  s.settings = {{"work_mem", "4096", "kB", "integer", "default", false}};
  return s;
}

// 10 s between the samples: 10 MiB written is 1 MiB/s.
std::vector<model::Finding> Interval(std::int64_t bytes, const Thresholds& t = {},
                                     std::string datname = "shop") {
  const model::Snapshot before = Sample(1000, 50 * kMiB, datname);
  return testing::EvaluateCheck(TempfilesSpillCheck(), Sample(1010, 50 * kMiB + bytes, datname),
                                &before, t);
}

TEST(TempfilesSpillCheck, WarnsFromOneMebibytePerSecond) {
  EXPECT_TRUE(Interval(10 * kMiB - 10).empty());
  const auto findings = Interval(10 * kMiB);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "tempfiles.spill");
  EXPECT_EQ(findings[0].object, "shop");
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_EQ(*findings[0].value, 1.0 * kMiB);
  EXPECT_EQ(findings[0].unit, "bytes_per_second");
  EXPECT_EQ(findings[0].message,
            "database shop wrote 10 MB to 10 temporary files in the last 10 s (1.0 MB/s): sorts "
            "and hashes do not fit in work_mem");
}

TEST(TempfilesSpillCheck, IsCriticalFromTenMebibytesPerSecond) {
  EXPECT_EQ(Interval(100 * kMiB - 10)[0].severity, model::Severity::kWarning);
  EXPECT_EQ(Interval(100 * kMiB)[0].severity, model::Severity::kCritical);
}

TEST(TempfilesSpillCheck, SaysNothingAcrossAResetOrWithoutAPreviousSample) {
  const model::Snapshot before = Sample(1000, 500 * kMiB);
  EXPECT_TRUE(
      testing::EvaluateCheck(TempfilesSpillCheck(), Sample(1010, 900 * kMiB, "shop", 1005), &before)
          .empty());
  EXPECT_TRUE(
      testing::EvaluateCheck(TempfilesSpillCheck(), Sample(1010, 900 * kMiB), nullptr).empty());
}

TEST(TempfilesSpillCheck, APerDatabaseOverrideRaisesTheLevel) {
  const Thresholds t({{"tempfiles.spill", "*", "shop", {100.0 * kMiB, {}}}});
  EXPECT_TRUE(Interval(20 * kMiB, t).empty());
  EXPECT_EQ(Interval(20 * kMiB).size(), 1u);
}

TEST(TempfilesSpillCheck, QuotesTheDatabaseInTheWorkMemStatement) {
  const auto findings = Interval(20 * kMiB, {}, "we\"ird");
  ASSERT_EQ(findings.size(), 1u);
  ASSERT_TRUE(findings[0].recommendation.has_value());
  EXPECT_EQ(findings[0].recommendation->sql, "ALTER DATABASE \"we\"\"ird\" SET work_mem = '8MB';");
}

TEST(TempfilesSpillCheck, NamesTheStatementsThatSpilledInTheInterval) {
  model::Snapshot before = Sample(1000, 50 * kMiB);
  model::Snapshot now = Sample(1010, 70 * kMiB);
  auto stmt = [](std::int64_t queryid, std::uint32_t dbid, std::int64_t temp_blks) {
    model::StatementStats s;
    s.userid = 10;
    s.dbid = dbid;
    s.queryid = queryid;
    s.calls = 1;
    s.temp_blks_written = temp_blks;
    s.query = "select * from events order by created_at";
    return s;
  };
  for (model::Snapshot* s : {&before, &now})
    s->outcomes.push_back(testing::OkOutcome("stat_statements"));
  before.statements = {stmt(1, 5, 0), stmt(2, 5, 0), stmt(3, 6, 0)};
  now.statements = {stmt(1, 5, 0), stmt(2, 5, 0), stmt(3, 6, 0)};
  now.statements[0].calls = 3;
  now.statements[0].temp_blks_written = 1280;  // 10 MB in two calls
  now.statements[1].calls = 2;
  now.statements[1].temp_blks_written = 2560;  // 20 MB in one call
  now.statements[2].calls = 2;
  now.statements[2].temp_blks_written = 9999;  // another database
  const auto findings = testing::EvaluateCheck(TempfilesSpillCheck(), now, &before);
  ASSERT_EQ(findings.size(), 1u);
  const auto& e = findings[0].evidence;
  ASSERT_GE(e.size(), 4u);
  EXPECT_EQ(e[e.size() - 2],
            "queryid 2 wrote 20 MB of temp blocks in 1 call: select * from events order by "
            "created_at");
  EXPECT_EQ(e.back().substr(0, 34), "queryid 1 wrote 10 MB of temp bloc");
}

TEST(TempfilesSpillCheck, AComposedSnapshotsRateIsOverTheStandardTiersInterval) {
  // Fast parts 1 s apart, pg_stat_database (standard tier) 15 s apart: 10 MiB is 0.67 MiB/s,
  // not 10 MiB/s, and 15 MiB is 1 MiB/s.
  auto composed = [](std::int64_t bytes) {
    model::Snapshot before = Sample(1000, 50 * kMiB);
    before.tier_times.fast = TimestampFromEpochSeconds(1000);
    before.tier_times.standard = TimestampFromEpochSeconds(985);
    model::Snapshot now = Sample(1001, 50 * kMiB + bytes);
    now.tier_times.fast = TimestampFromEpochSeconds(1001);
    now.tier_times.standard = TimestampFromEpochSeconds(1000);
    return testing::EvaluateCheck(TempfilesSpillCheck(), now, &before);
  };
  EXPECT_TRUE(composed(10 * kMiB).empty());
  const auto findings = composed(15 * kMiB);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_EQ(*findings[0].value, 1.0 * kMiB);
}

}  // namespace
}  // namespace pgvigil::analysis
