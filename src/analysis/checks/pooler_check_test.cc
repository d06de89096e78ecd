// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/pooler_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

model::PgBouncerPool Pool(std::int64_t waiting, double maxwait, std::string database = "shop") {
  model::PgBouncerPool p;
  p.database = std::move(database);
  p.user = "app";
  p.cl_active = 20;
  p.cl_waiting = waiting;
  p.sv_active = 20;
  p.maxwait_seconds = maxwait;
  p.pool_mode = "transaction";
  return p;
}

model::Snapshot With(std::vector<model::PgBouncerPool> pools) {
  model::Snapshot s;
  s.target = "db1";
  s.outcomes = {testing::OkOutcome("pgbouncer")};
  s.pgbouncer_pools = std::move(pools);
  return s;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& s, const Thresholds& t = {}) {
  return testing::EvaluateCheck(PoolerCheck(), s, nullptr, t);
}

TEST(PoolerCheck, WarnsFromOneWaitingClient) {
  EXPECT_TRUE(Evaluate(With({Pool(0, 0)})).empty());
  const auto findings = Evaluate(With({Pool(1, 0.5)}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "pooler.clients_waiting");
  EXPECT_EQ(findings[0].object, "pool shop/app");
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_EQ(findings[0].unit, "count");
  EXPECT_EQ(findings[0].evidence[0], "clients: 20 active, 1 waiting");
}

TEST(PoolerCheck, IsCriticalFromTenWaitingClients) {
  EXPECT_EQ(Evaluate(With({Pool(9, 0)}))[0].severity, model::Severity::kWarning);
  EXPECT_EQ(Evaluate(With({Pool(10, 0)}))[0].severity, model::Severity::kCritical);
}

TEST(PoolerCheck, JudgesTheOldestWaitFromOneSecondToFive) {
  auto max_wait = [](double seconds) {
    std::vector<model::Finding> out;
    for (model::Finding& f : Evaluate(With({Pool(0, seconds)}))) {
      if (f.id == "pooler.max_wait") out.push_back(std::move(f));
    }
    return out;
  };
  EXPECT_TRUE(max_wait(0.99).empty());
  ASSERT_EQ(max_wait(1.0).size(), 1u);
  EXPECT_EQ(max_wait(1.0)[0].severity, model::Severity::kWarning);
  EXPECT_EQ(max_wait(1.0)[0].unit, "seconds");
  EXPECT_EQ(max_wait(4.9)[0].severity, model::Severity::kWarning);
  EXPECT_EQ(max_wait(5.0)[0].severity, model::Severity::kCritical);
}

TEST(PoolerCheck, SaysNothingWithoutAnOkPgBouncerOutcome) {
  model::Snapshot s = With({Pool(50, 30)});
  s.outcomes[0].status = model::CollectorStatus::kError;
  EXPECT_TRUE(Evaluate(s).empty());
  s.outcomes.clear();
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(PoolerCheck, LeavesOutTheAdminConsolePool) {
  EXPECT_TRUE(Evaluate(With({Pool(3, 10, "pgbouncer")})).empty());
}

TEST(PoolerCheck, APerPoolOverrideRaisesTheLevel) {
  const Thresholds t({{"pooler.clients_waiting", "*", "pool shop/*", {20, 50}},
                      {"pooler.max_wait", "*", "pool shop/*", {10, 30}}});
  EXPECT_TRUE(Evaluate(With({Pool(15, 3)}), t).empty());
  EXPECT_EQ(Evaluate(With({Pool(15, 3, "other")}), t).size(), 2u);
}

TEST(PoolerCheck, ExplainsASaturatedPool) {
  const auto findings = Evaluate(With({Pool(5, 2)}));
  ASSERT_EQ(findings.size(), 2u);
  ASSERT_TRUE(findings[0].recommendation.has_value());
  EXPECT_NE(findings[0].recommendation->why.find("Every server connection of the pool is busy"),
            std::string::npos);
  EXPECT_NE(findings[0].recommendation->why.find("default_pool_size"), std::string::npos);
}

}  // namespace
}  // namespace pgvigil::analysis
