// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/query_long_running_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

model::Backend Running(int pid, double age, std::string type = "client backend") {
  model::Backend b;
  b.pid = pid;
  b.backend_type = std::move(type);
  b.state = "active";
  b.application_name = "reports";
  b.usename = "analyst";
  b.datname = "shop";
  b.query_age_seconds = age;
  b.xact_age_seconds = age;
  b.query = "select count(*)\n  from orders o join items i using (order_id)";
  return b;
}

model::Snapshot With(std::vector<model::Backend> backends) {
  model::Snapshot s;
  s.outcomes = {testing::OkOutcome("stat_activity")};
  s.settings = {{"statement_timeout", "0", "ms", "integer", "default", false}};
  s.activity = std::move(backends);
  return s;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& s, const Thresholds& t = {}) {
  return testing::EvaluateCheck(QueryLongRunningCheck(), s, nullptr, t);
}

TEST(QueryLongRunningCheck, WarnsFromFiveMinutes) {
  EXPECT_TRUE(Evaluate(With({Running(7, 299)})).empty());
  const auto findings = Evaluate(With({Running(7, 300)}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "query.long_running");
  EXPECT_EQ(findings[0].object, "pid 7");
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_EQ(findings[0].unit, "seconds");
  EXPECT_NE(findings[0].message.find("select count(*) from orders"), std::string::npos);
}

TEST(QueryLongRunningCheck, IsCriticalFromHalfAnHour) {
  EXPECT_EQ(Evaluate(With({Running(7, 1799)}))[0].severity, model::Severity::kWarning);
  EXPECT_EQ(Evaluate(With({Running(7, 1800)}))[0].severity, model::Severity::kCritical);
}

TEST(QueryLongRunningCheck, LeavesOutWalsendersAutovacuumWorkersAndItsOwnSessions) {
  model::Backend own = Running(4, 4000);
  own.application_name = "pgvigil";
  model::Backend idle = Running(5, 4000);
  idle.state = "idle";
  EXPECT_TRUE(Evaluate(With({Running(1, 4000, "walsender"), Running(2, 4000, "autovacuum worker"),
                             Running(3, 4000, "parallel worker"), own, idle}))
                  .empty());
}

TEST(QueryLongRunningCheck, SaysNothingWhenActivityFailed) {
  model::Snapshot s = With({Running(7, 4000)});
  s.outcomes[0].status = model::CollectorStatus::kError;
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(QueryLongRunningCheck, APerBackendOverrideRaisesTheLevel) {
  const Thresholds t({{"query.long_running", "*", "pid 7", {3600, 7200}}});
  EXPECT_TRUE(Evaluate(With({Running(7, 1900)}), t).empty());
  EXPECT_EQ(Evaluate(With({Running(8, 1900)}), t).size(), 1u);
}

TEST(QueryLongRunningCheck, RecommendsCancellingTheStatement) {
  const auto findings = Evaluate(With({Running(7, 400)}));
  ASSERT_TRUE(findings[0].recommendation.has_value());
  EXPECT_EQ(findings[0].recommendation->sql, "SELECT pg_cancel_backend(7);");
  bool timeout = false;
  for (const std::string& e : findings[0].evidence) timeout |= e == "statement_timeout = 0 (off)";
  EXPECT_TRUE(timeout);
}

}  // namespace
}  // namespace pgvigil::analysis
