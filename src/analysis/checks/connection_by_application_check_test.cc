// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/connection_by_application_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

model::Backend Client(std::string app, std::string state, double state_age = 60) {
  model::Backend b;
  b.backend_type = "client backend";
  b.application_name = std::move(app);
  b.state = std::move(state);
  b.state_age_seconds = state_age;
  b.usename = "app";
  b.datname = "shop";
  return b;
}

// max_connections 100, nothing reserved: shares are plain percentages.
model::Snapshot With(const std::string& app, int idle, int active = 0,
                     std::string max_connections = "100") {
  model::Snapshot s;
  s.outcomes = {testing::OkOutcome("stat_activity")};
  s.settings = {{"max_connections", max_connections, "", "integer", "default", false},
                {"superuser_reserved_connections", "0", "", "integer", "default", false}};
  for (int i = 0; i < idle; ++i) s.activity.push_back(Client(app, "idle", 60.0 + i));
  for (int i = 0; i < active; ++i) s.activity.push_back(Client(app, "active"));
  return s;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& s, const Thresholds& t = {}) {
  return testing::EvaluateCheck(ConnectionByApplicationCheck(), s, nullptr, t);
}

TEST(ConnectionByApplicationCheck, WarnsFromHalfOfTheUsableConnections) {
  EXPECT_TRUE(Evaluate(With("web", 49)).empty());
  const auto findings = Evaluate(With("web", 50));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "connection.by_application");
  EXPECT_EQ(findings[0].object, "application web");
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_EQ(*findings[0].value, 0.5);
  EXPECT_EQ(findings[0].evidence[0],
            "50 connections: 50 idle, 0 active, 0 idle in transaction, 0 other");
}

TEST(ConnectionByApplicationCheck, IsCriticalFromEightyPercent) {
  EXPECT_EQ(Evaluate(With("web", 79))[0].severity, model::Severity::kWarning);
  EXPECT_EQ(Evaluate(With("web", 80))[0].severity, model::Severity::kCritical);
}

TEST(ConnectionByApplicationCheck, NeedsTenConnectionsToJudge) {
  // 9 of 10 usable is 90 %, but nine sessions are too few to call a leak.
  EXPECT_TRUE(Evaluate(With("web", 9, 0, "10")).empty());
  EXPECT_EQ(Evaluate(With("web", 10, 0, "12")).size(), 1u);
}

TEST(ConnectionByApplicationCheck, BusyConnectionsAreLoadNotALeak) {
  EXPECT_TRUE(Evaluate(With("web", 30, 31)).empty());  // 61 %, but mostly active
  const auto findings = Evaluate(With("web", 31, 30));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].evidence[0],
            "61 connections: 31 idle, 30 active, 0 idle in transaction, 0 other");
}

TEST(ConnectionByApplicationCheck, LeavesOutPgvigilAndBackgroundProcesses) {
  model::Snapshot s = With("pgvigil", 90);
  for (int i = 0; i < 90; ++i) {
    model::Backend b = Client("", "");
    b.backend_type = "background worker";
    s.activity.push_back(b);
  }
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(ConnectionByApplicationCheck, SaysNothingWithoutActivityOrMaxConnections) {
  model::Snapshot s = With("web", 90);
  s.outcomes[0].status = model::CollectorStatus::kSkipped;
  EXPECT_TRUE(Evaluate(s).empty());
  s = With("web", 90);
  s.settings.clear();
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(ConnectionByApplicationCheck, APerApplicationOverrideAllowsABigPool) {
  const Thresholds t({{"connection.by_application", "*", "application web", {0.9, 0.95}}});
  EXPECT_TRUE(Evaluate(With("web", 85), t).empty());
  EXPECT_EQ(Evaluate(With("api", 85), t).size(), 1u);
}

TEST(ConnectionByApplicationCheck, QuotesAHostileApplicationNameAsALiteral) {
  const auto findings = Evaluate(With("x'; drop table t; --\\", 60));
  ASSERT_EQ(findings.size(), 1u);
  ASSERT_TRUE(findings[0].recommendation.has_value());
  EXPECT_EQ(findings[0].recommendation->sql,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
            "E'x''; drop table t; --\\\\' AND state = 'idle' AND state_change < now() - interval "
            "'10 minutes';");
}

TEST(ConnectionByApplicationCheck, GroupsSessionsWithoutAName) {
  const auto findings = Evaluate(With("", 60));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].object, "application (none)");
  EXPECT_NE(findings[0].recommendation->sql.find("application_name = ''"), std::string::npos);
}

}  // namespace
}  // namespace pgvigil::analysis
