// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/connection_idle_in_transaction_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

model::Backend Idle(int pid, double xact_age, double state_age,
                    std::string state = "idle in transaction") {
  model::Backend b;
  b.pid = pid;
  b.backend_type = "client backend";
  b.state = std::move(state);
  b.application_name = "billing";
  b.usename = "app";
  b.datname = "shop";
  b.xact_age_seconds = xact_age;
  b.state_age_seconds = state_age;
  b.backend_xmin_age = 12345;
  b.query = "update orders\n   set paid = true where id = $1";
  return b;
}

model::Snapshot With(std::vector<model::Backend> backends) {
  model::Snapshot s;
  s.outcomes = {testing::OkOutcome("stat_activity")};
  s.settings = {{"idle_in_transaction_session_timeout", "0", "ms", "integer", "default", false}};
  s.activity = std::move(backends);
  return s;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& s, const Thresholds& t = {}) {
  return testing::EvaluateCheck(ConnectionIdleInTransactionCheck(), s, nullptr, t);
}

TEST(ConnectionIdleInTransactionCheck, WarnsFromFiveMinutesOfOpenTransaction) {
  EXPECT_TRUE(Evaluate(With({Idle(42, 299, 299)})).empty());
  const auto findings = Evaluate(With({Idle(42, 300, 300)}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "connection.idle_in_transaction");
  EXPECT_EQ(findings[0].object, "pid 42");
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_EQ(*findings[0].threshold, 300);
}

TEST(ConnectionIdleInTransactionCheck, IsCriticalFromHalfAnHour) {
  EXPECT_EQ(Evaluate(With({Idle(42, 1799, 10)}))[0].severity, model::Severity::kWarning);
  const auto findings = Evaluate(With({Idle(42, 1800, 10)}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kCritical);
}

TEST(ConnectionIdleInTransactionCheck, JudgesTheAgeOfTheTransactionNotOfTheLastStatement) {
  // Idle for two seconds only, but the transaction (locks, xmin) is an hour old.
  const auto findings = Evaluate(With({Idle(42, 3600, 2)}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(*findings[0].value, 3600);
  EXPECT_EQ(findings[0].severity, model::Severity::kCritical);
  bool both = false;
  for (const std::string& e : findings[0].evidence) {
    if (e.find("xact_start") != std::string::npos) both = true;
  }
  EXPECT_TRUE(both);
  EXPECT_NE(findings[0].evidence[2].find("state_change"), std::string::npos);
}

TEST(ConnectionIdleInTransactionCheck, IgnoresActiveIdleAndItsOwnSessions) {
  model::Backend active = Idle(1, 4000, 4000, "active");
  model::Backend idle = Idle(2, 4000, 4000, "idle");
  model::Backend own = Idle(3, 4000, 4000);
  own.application_name = "pgvigil";
  EXPECT_TRUE(Evaluate(With({active, idle, own})).empty());
}

TEST(ConnectionIdleInTransactionCheck, AnAbortedTransactionIsAtMostAWarning) {
  const auto findings = Evaluate(With({Idle(42, 7200, 7200, "idle in transaction (aborted)")}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_EQ(*findings[0].threshold, 300);
  EXPECT_NE(findings[0].message.find("ROLLBACK"), std::string::npos);
  EXPECT_NE(findings[0].recommendation->sql.find("'idle in transaction (aborted)'"),
            std::string::npos);
}

TEST(ConnectionIdleInTransactionCheck, SaysNothingWhenActivityWasNotCollected) {
  model::Snapshot s = With({Idle(42, 4000, 4000)});
  s.outcomes[0].status = model::CollectorStatus::kError;
  EXPECT_TRUE(Evaluate(s).empty());
  s.outcomes.clear();
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(ConnectionIdleInTransactionCheck, APerBackendOverrideRaisesTheLevel) {
  const Thresholds t({{"connection.idle_in_transaction", "*", "pid 42", {3600, 7200}}});
  EXPECT_TRUE(Evaluate(With({Idle(42, 1000, 1000)}), t).empty());
  EXPECT_EQ(Evaluate(With({Idle(43, 1000, 1000)}), t).size(), 1u);
}

TEST(ConnectionIdleInTransactionCheck, RecommendsTerminatingThePidAndTheTimeout) {
  model::Backend b = Idle(42, 4000, 4000);
  b.usename = "we\"ird";
  b.datname = "shop\"; drop";
  const auto findings = Evaluate(With({b}));
  ASSERT_EQ(findings.size(), 1u);
  ASSERT_TRUE(findings[0].recommendation.has_value());
  EXPECT_EQ(findings[0].recommendation->sql,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = 42 AND state = "
            "'idle in transaction';");
  const std::string& why = findings[0].recommendation->why;
  EXPECT_NE(why.find("ALTER ROLE \"we\"\"ird\" SET idle_in_transaction_session_timeout"),
            std::string::npos);
  EXPECT_NE(why.find("ALTER DATABASE \"shop\"\"; drop\""), std::string::npos);
  EXPECT_NE(why.find("pg_cancel_backend does nothing"), std::string::npos);
  EXPECT_EQ(findings[0].evidence.back(), "idle_in_transaction_session_timeout = 0 (off)");
}

}  // namespace
}  // namespace pgvigil::analysis
