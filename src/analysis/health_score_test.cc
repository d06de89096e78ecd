// SPDX-License-Identifier: Apache-2.0
#include "analysis/health_score.h"
#include "model/health_report.h"

#include <gtest/gtest.h>

namespace pgvigil::analysis {
namespace {

model::Finding F(std::string id, model::Severity s, std::string object = "x") {
  model::Finding f;
  f.id = std::move(id);
  f.severity = s;
  f.object = std::move(object);
  f.message = f.id + " on " + f.object;
  return f;
}

TEST(HealthScore, NoFindingsIsHealthyAt100) {
  const auto r = ScoreFindings("db", {});
  EXPECT_EQ(r.status, model::HealthStatus::kHealthy);
  EXPECT_EQ(r.score, 100);
  EXPECT_EQ(r.reasons.size(), 1u);
}

TEST(HealthScore, InfoAndInsufficientDataDoNotCount) {
  auto info = F("settings.track_io_timing", model::Severity::kInfo);
  auto unknown = F("cache.hit_ratio", model::Severity::kWarning);
  unknown.insufficient_data = true;
  const auto r = ScoreFindings("db", {info, unknown});
  EXPECT_EQ(r.status, model::HealthStatus::kHealthy);
  EXPECT_EQ(r.score, 100);
}

TEST(HealthScore, WarningsDegradeAndCriticalsMakeUnhealthy) {
  const auto degraded = ScoreFindings("db", {F("index.duplicate", model::Severity::kWarning)});
  EXPECT_EQ(degraded.status, model::HealthStatus::kDegraded);
  EXPECT_EQ(degraded.score, 92);
  const auto unhealthy = ScoreFindings("db", {F("index.duplicate", model::Severity::kWarning),
                                              F("locks.blocking", model::Severity::kCritical)});
  EXPECT_EQ(unhealthy.status, model::HealthStatus::kUnhealthy);
  EXPECT_EQ(unhealthy.score, 100 - 8 - 25);
  EXPECT_EQ(unhealthy.findings[0].id, "locks.blocking");  // most severe first
  EXPECT_NE(unhealthy.reasons[0].find("locks.blocking"), std::string::npos);
}

TEST(HealthScore, OneCheckCannotTakeMoreThanItsCap) {
  std::vector<model::Finding> many;
  for (int i = 0; i < 100; ++i)
    many.push_back(F("index.unused", model::Severity::kWarning, std::to_string(i)));
  EXPECT_EQ(ScoreFindings("db", many).score, 100 - 24);
  std::vector<model::Finding> crit;
  for (int i = 0; i < 10; ++i)
    crit.push_back(F("locks.blocking", model::Severity::kCritical, std::to_string(i)));
  crit.push_back(F("wraparound.xid_age", model::Severity::kCritical));
  crit.push_back(F("replication.lag", model::Severity::kCritical));
  EXPECT_EQ(ScoreFindings("db", crit).score, 0);
}

}  // namespace
}  // namespace pgvigil::analysis
