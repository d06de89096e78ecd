// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/backup_stale_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

using std::chrono::seconds;

const common::Timestamp kNow = common::TimestampFromEpochSeconds(1.8e9);
constexpr double kSegment = 16.0 * 1024 * 1024;
// The end of segment 000000010000000A000000FF with 16 MB segments: (10 × 256 + 255 + 1) × 16 MB.
constexpr double kEndOfArchived = 2816.0 * kSegment;

model::Setting Setting(std::string name, std::string value, std::string unit = "") {
  model::Setting s;
  s.name = std::move(name);
  s.setting = std::move(value);
  s.unit = std::move(unit);
  return s;
}

// A primary whose last archived segment is `age_seconds` old, with `written` bytes of WAL
// after it (two segments waiting by default).
model::Snapshot Server(double age_seconds, double written = 2 * kSegment) {
  model::Snapshot s;
  s.target = "prod";
  s.collected_at = kNow;
  s.outcomes = {testing::OkOutcome("settings"), testing::OkOutcome("archiver"),
                testing::OkOutcome("wal")};
  s.settings = {Setting("archive_mode", "on"), Setting("wal_segment_size", "16777216", "B"),
                Setting("archive_timeout", "0", "s")};
  model::ArchiverStats a;
  a.archived_count = 10;
  a.last_archived_wal = "000000010000000A000000FF";
  a.last_archived_time = kNow - seconds(static_cast<std::int64_t>(age_seconds));
  s.archiver = a;
  model::WalStats w;
  w.wal_lsn_bytes = static_cast<std::int64_t>(kEndOfArchived + written);
  s.wal = w;
  return s;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& s, const Thresholds& t = {}) {
  return testing::EvaluateCheck(BackupStaleCheck(), s, nullptr, t);
}

TEST(BackupStaleCheck, WarnsFromAnHourAndIsCriticalFromADay) {
  EXPECT_TRUE(Evaluate(Server(3599)).empty());
  auto findings = Evaluate(Server(3600));
  ASSERT_EQ(findings.size(), 1u);
  const model::Finding& f = findings[0];
  EXPECT_EQ(f.id, "backup.stale");
  EXPECT_EQ(f.object, "server");
  EXPECT_EQ(f.severity, model::Severity::kWarning);
  EXPECT_EQ(f.unit, "seconds");
  EXPECT_EQ(f.message,
            "the last WAL segment (000000010000000A000000FF) was archived 60 min ago: "
            "point-in-time recovery cannot reach past it");
  EXPECT_EQ(Evaluate(Server(86399)).at(0).severity, model::Severity::kWarning);
  EXPECT_EQ(Evaluate(Server(86400)).at(0).severity, model::Severity::kCritical);
}

TEST(BackupStaleCheck, AQuietServerWithNoCompletedSegmentIsInfoWithArchiveTimeout) {
  const auto findings = Evaluate(Server(90000, 0.5 * kSegment));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kInfo);
  EXPECT_NE(findings[0].message.find("has not completed a segment since"), std::string::npos);
  EXPECT_EQ(findings[0].recommendation->sql,
            "ALTER SYSTEM SET archive_timeout = '5min'; SELECT pg_reload_conf();");
  // Without the WAL position it cannot tell: the age alone decides.
  model::Snapshot s = Server(90000, 0.5 * kSegment);
  s.outcomes[2].status = model::CollectorStatus::kError;
  EXPECT_EQ(Evaluate(s).at(0).severity, model::Severity::kCritical);
}

TEST(BackupStaleCheck, NothingArchivedSinceTheResetCountsFromTheReset) {
  model::Snapshot s = Server(0);
  s.archiver->last_archived_time.reset();
  s.archiver->last_archived_wal.clear();
  EXPECT_TRUE(Evaluate(s).empty());  // no reset time either: nothing to measure from
  s.archiver->stats_reset = kNow - std::chrono::hours(30);
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kCritical);
  EXPECT_NE(findings[0].message.find("since the statistics reset 30 h 0 min ago"),
            std::string::npos)
      << findings[0].message;
}

TEST(BackupStaleCheck, SaysNothingWithArchiveModeOff) {
  model::Snapshot s = Server(90000);
  s.settings[0].setting = "off";
  EXPECT_TRUE(Evaluate(s).empty());
  s.outcomes[0].status = model::CollectorStatus::kError;  // settings unknown
  s.settings[0].setting = "on";
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(BackupStaleCheck, ATargetOverrideChangesTheLevels) {
  const Thresholds t({{"backup.stale", "prod", "*", {7200, 172800}}});
  EXPECT_TRUE(Evaluate(Server(3600), t).empty());
  EXPECT_EQ(Evaluate(Server(90000), t).at(0).severity, model::Severity::kWarning);
}

TEST(SegmentEndBytes, ReadsTheSegmentNumberFromTheFileName) {
  EXPECT_DOUBLE_EQ(*SegmentEndBytes("000000010000000A000000FF", kSegment), kEndOfArchived);
  EXPECT_DOUBLE_EQ(*SegmentEndBytes("000000010000000000000000", 64.0 * 1024 * 1024),
                   64.0 * 1024 * 1024);
  EXPECT_FALSE(SegmentEndBytes("00000002.history", kSegment).has_value());
  EXPECT_FALSE(SegmentEndBytes("000000010000000A000000FF.00000028.backup", kSegment).has_value());
}

TEST(BackupStaleCheck, TheAgeIsAsOfTheArchiverRead) {
  // In a composed snapshot pg_stat_archiver (standard tier) was read 10 s before collected_at
  // (the fast tier): a segment archived in those 10 s would not be seen yet.
  auto composed = [](double age_seconds) {
    model::Snapshot s = Server(age_seconds);
    s.collected_at = kNow + seconds(10);
    s.tier_times.fast = s.collected_at;
    s.tier_times.standard = kNow;
    return s;
  };
  EXPECT_TRUE(Evaluate(composed(3599)).empty());
  const auto findings = Evaluate(composed(3600));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(*findings[0].value, 3600);
}

}  // namespace
}  // namespace pgvigil::analysis
