// SPDX-License-Identifier: Apache-2.0
#include "alerts/route.h"

#include <gtest/gtest.h>

#include "alerts/notification_builder.h"

namespace pgvigil::alerts {
namespace {

using model::Severity;

TEST(RouteChannels, MatchesSeverityTargetAndLabelsEachChannelOnce) {
  std::vector<Route> routes(3);
  routes[0].severity_min = Severity::kCritical;
  routes[0].targets = {"prod-*"};
  routes[0].labels = {{"region", "eu"}};
  routes[0].channels = {"pager", "mail"};
  routes[1].channels = {"hook", "mail"};  // every warning and critical
  routes[2].targets = {"dev-*"};
  routes[2].channels = {"devhook"};
  const std::map<std::string, std::string> eu = {{"region", "eu"}};
  EXPECT_EQ(RouteChannels(routes, Severity::kCritical, "prod-1", eu),
            (std::vector<std::string>{"pager", "mail", "hook"}));
  EXPECT_EQ(RouteChannels(routes, Severity::kWarning, "prod-1", eu),
            (std::vector<std::string>{"hook", "mail"}));
  EXPECT_EQ(RouteChannels(routes, Severity::kCritical, "prod-1", {{"region", "us"}}),
            (std::vector<std::string>{"hook", "mail"}));
  EXPECT_EQ(RouteChannels(routes, Severity::kWarning, "dev-1", {}),
            (std::vector<std::string>{"hook", "mail", "devhook"}));
  EXPECT_TRUE(RouteChannels(routes, Severity::kInfo, "dev-1", {}).empty());
}

model::AlertNotification Transition(model::AlertEventKind kind) {
  model::AlertNotification t;
  t.kind = kind;
  t.alert.id = 42;
  t.alert.target = "main";
  t.alert.check_id = "locks.blocking";
  t.alert.object = "pid 7";
  t.alert.severity = Severity::kCritical;
  t.alert.recommendation = "Ask the holder to commit.\nSELECT pg_terminate_backend(7);";
  t.at = common::Timestamp(std::chrono::seconds(1'800'000'000));
  return t;
}

TEST(BuildNotification, KindsKeysAndRecommendation) {
  auto fired = BuildNotification(Transition(model::AlertEventKind::kFired), {{"region", "eu"}},
                                 "http://dash:8080/");
  ASSERT_TRUE(fired.has_value());
  EXPECT_EQ(fired->kind, model::NotificationKind::kFiring);
  EXPECT_EQ(fired->dedup_key, "pgvigil-42-firing");
  ASSERT_TRUE(fired->recommendation.has_value());
  EXPECT_EQ(fired->recommendation->sql, "SELECT pg_terminate_backend(7);");
  EXPECT_EQ(fired->labels.at("region"), "eu");
  EXPECT_EQ(fired->link, "http://dash:8080/api/v1/alerts?target=main");
  EXPECT_FALSE(fired->ends_at.has_value());

  auto resolved = BuildNotification(Transition(model::AlertEventKind::kResolvedAuto), {}, "");
  ASSERT_TRUE(resolved.has_value());
  EXPECT_EQ(resolved->kind, model::NotificationKind::kResolved);
  EXPECT_EQ(resolved->dedup_key, "pgvigil-42-resolved");
  EXPECT_TRUE(resolved->ends_at.has_value());
  EXPECT_TRUE(resolved->link.empty());

  auto again = BuildNotification(Transition(model::AlertEventKind::kRenotified), {}, "");
  ASSERT_TRUE(again.has_value());
  EXPECT_NE(again->dedup_key, "pgvigil-42-renotify");  // carries the transition's time

  EXPECT_FALSE(
      BuildNotification(Transition(model::AlertEventKind::kAcknowledged), {}, "").has_value());
}

}  // namespace
}  // namespace pgvigil::alerts
