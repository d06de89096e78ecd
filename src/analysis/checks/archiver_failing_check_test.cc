// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/archiver_failing_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const common::Timestamp kNow = common::TimestampFromEpochSeconds(1.8e9);

model::Setting Setting(std::string name, std::string value) {
  model::Setting s;
  s.name = std::move(name);
  s.setting = std::move(value);
  return s;
}

// A primary archiving fine: last success a minute ago, 3 old failures long ago.
model::Snapshot Server(common::Timestamp at = kNow) {
  model::Snapshot s;
  s.target = "prod";
  s.collected_at = at;
  s.server.postmaster_start_time = kNow - std::chrono::hours(100);
  s.outcomes = {testing::OkOutcome("settings"), testing::OkOutcome("archiver")};
  s.settings = {Setting("archive_mode", "on"), Setting("archive_command", "set")};
  model::ArchiverStats a;
  a.archived_count = 1000;
  a.last_archived_wal = "000000010000000A000000FF";
  a.last_archived_time = kNow - minutes(1);
  a.failed_count = 3;
  a.last_failed_wal = "0000000100000009000000AA";
  a.last_failed_time = kNow - std::chrono::hours(48);
  a.stats_reset = kNow - std::chrono::hours(1000);
  s.archiver = a;
  return s;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& now,
                                     const model::Snapshot* before = nullptr,
                                     const Thresholds& t = {}) {
  return testing::EvaluateCheck(ArchiverFailingCheck(), now, before, t);
}

TEST(ArchiverFailingCheck, IsCriticalWhileTheLastFailureIsNewerThanTheLastSuccess) {
  model::Snapshot s = Server();
  EXPECT_TRUE(Evaluate(s).empty());
  s.archiver->last_failed_wal = "000000010000000B00000000";
  s.archiver->last_failed_time = kNow - seconds(10);
  const auto findings = Evaluate(s);  // no previous sample needed
  ASSERT_EQ(findings.size(), 1u);
  const model::Finding& f = findings[0];
  EXPECT_EQ(f.id, "archiver.failing");
  EXPECT_EQ(f.object, "server");
  EXPECT_EQ(f.severity, model::Severity::kCritical);
  EXPECT_EQ(f.message,
            "WAL archiving is failing: segment 000000010000000B00000000 failed 10 s ago, the last "
            "success was 60 s ago");
}

TEST(ArchiverFailingCheck, CountsFailuresInTheIntervalAndWarnsWhenItHasArchivedSince) {
  const model::Snapshot before = Server(kNow - seconds(15));
  model::Snapshot now = Server();
  EXPECT_TRUE(Evaluate(now, &before).empty());  // no new failure
  now.archiver->failed_count = 5;
  now.archiver->last_failed_time = kNow - seconds(30);  // and archived a minute later
  now.archiver->last_archived_time = kNow - seconds(5);
  const auto findings = Evaluate(now, &before);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_DOUBLE_EQ(*findings[0].value, 2);
  EXPECT_NE(findings[0].message.find("2 failures in the last 15 s"), std::string::npos)
      << findings[0].message;
  EXPECT_NE(findings[0].message.find("has archived since"), std::string::npos);
}

TEST(ArchiverFailingCheck, ComputesNoDeltaAcrossAResetOrARestart) {
  model::Snapshot before = Server(kNow - seconds(15));
  before.archiver->failed_count = 50;
  model::Snapshot now = Server();
  now.archiver->failed_count = 55;
  now.archiver->stats_reset = kNow - seconds(5);  // pg_stat_reset_shared('archiver')
  EXPECT_TRUE(Evaluate(now, &before).empty());
  now = Server();
  now.archiver->failed_count = 60;
  now.server.postmaster_start_time = kNow - seconds(10);  // restarted
  EXPECT_TRUE(Evaluate(now, &before).empty());
}

TEST(ArchiverFailingCheck, SaysNothingWhenTheArchiverDoesNotRun) {
  model::Snapshot s = Server();
  s.archiver->last_failed_time = kNow;
  s.settings[0].setting = "off";
  EXPECT_TRUE(Evaluate(s).empty());
  s.settings[0].setting = "on";
  s.server.is_in_recovery = true;  // a standby archives only with "always"
  EXPECT_TRUE(Evaluate(s).empty());
  s.settings[0].setting = "always";
  EXPECT_EQ(Evaluate(s).size(), 1u);
  s.outcomes[1].status = model::CollectorStatus::kError;
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(ArchiverFailingCheck, AServerOverrideRaisesTheWarningLevel) {
  const model::Snapshot before = Server(kNow - seconds(15));
  model::Snapshot now = Server();
  now.archiver->failed_count = 5;
  const Thresholds t({{"archiver.failing", "prod", "server", {5, {}}}});
  EXPECT_TRUE(Evaluate(now, &before, t).empty());
  EXPECT_EQ(Evaluate(now, &before).size(), 1u);
}

}  // namespace
}  // namespace pgvigil::analysis
