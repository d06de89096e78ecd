// SPDX-License-Identifier: Apache-2.0
#include "config/alerts_file.h"

#include <gtest/gtest.h>

namespace pgvigil::config {
namespace {

using std::chrono::microseconds;
using std::chrono::seconds;

TEST(AlertsFile, ReadsDefaultsAndRulesInOrder) {
  const auto file = ReadAlertsText(R"(
targets: []
alerts:
  defaults: {for: 1min, resolve_after: 2min, renotify_interval: 4h, min_severity: warning}
  rules:
    - check: "locks.*"
      target: "prod-*"
      for: 0s
    - check: index.unused
      enabled: false
    - object: "app.public.queue_*"
      min_severity: critical
      resolve_after: 90
  channels:
    oncall: {type: slack, url_env: SLACK_URL}
  routes:
    - channels: [oncall]
)",
                                   "a.yaml");
  ASSERT_TRUE(file.errors.empty()) << file.errors[0];
  EXPECT_EQ(file.defaults.for_duration, microseconds(seconds(60)));
  EXPECT_EQ(file.defaults.resolve_after, microseconds(seconds(120)));
  EXPECT_EQ(file.defaults.renotify_interval, microseconds(seconds(4 * 3600)));
  EXPECT_EQ(file.defaults.min_severity, "warning");
  ASSERT_EQ(file.rules.size(), 3u);
  EXPECT_EQ(file.rules[0].check_pattern, "locks.*");
  EXPECT_EQ(file.rules[0].target_pattern, "prod-*");
  EXPECT_EQ(file.rules[0].object_pattern, "*");
  EXPECT_EQ(file.rules[0].for_duration, microseconds(0));
  EXPECT_FALSE(file.rules[0].resolve_after.has_value());
  EXPECT_EQ(file.rules[0].line, 6);
  EXPECT_EQ(file.rules[1].enabled, false);
  EXPECT_EQ(file.rules[2].min_severity, "critical");
  EXPECT_EQ(file.rules[2].resolve_after, microseconds(seconds(90))) << "a number is seconds";
}

TEST(AlertsFile, NoAlertsSectionMeansNoRulesAndNoErrors) {
  const auto file = ReadAlertsText("targets: []\n", "a.yaml");
  EXPECT_TRUE(file.errors.empty());
  EXPECT_TRUE(file.rules.empty());
  EXPECT_FALSE(file.defaults.for_duration.has_value());
}

TEST(AlertsFile, ReportsEveryProblemWithItsLine) {
  const auto file = ReadAlertsText(R"(alerts:
  defaults: {check: x}
  rules:
    - check: ""
    - for: soon
      resolve_after: 5GB
    - enabled: maybe
      min_severity: info
    - renotify_interval: -1s
    - 3
  paging: yes
)",
                                   "a.yaml");
  ASSERT_EQ(file.errors.size(), 9u);
  EXPECT_EQ(file.errors[0].rfind("a.yaml:2: unknown key 'check' in alerts.defaults", 0), 0u)
      << file.errors[0];
  EXPECT_EQ(file.errors[1].rfind("a.yaml:4: alert rule.check must be a non-empty glob", 0), 0u)
      << file.errors[1];
  EXPECT_EQ(file.errors[2].rfind("a.yaml:5: alert rule.for:", 0), 0u) << file.errors[2];
  EXPECT_EQ(file.errors[3].rfind("a.yaml:6: alert rule.resolve_after: '5GB' is not a duration", 0),
            0u)
      << file.errors[3];
  EXPECT_EQ(file.errors[4].rfind("a.yaml:7: alert rule.enabled must be true or false", 0), 0u)
      << file.errors[4];
  EXPECT_EQ(
      file.errors[5].rfind("a.yaml:8: alert rule.min_severity must be warning or critical", 0), 0u)
      << file.errors[5];
  EXPECT_EQ(file.errors[6].rfind("a.yaml:9: alert rule.renotify_interval", 0), 0u)
      << file.errors[6];
  EXPECT_EQ(file.errors[7].rfind("a.yaml:10: alert rule must be a map", 0), 0u) << file.errors[7];
  EXPECT_EQ(file.errors[8].rfind("a.yaml:11: unknown key 'paging' in alerts", 0), 0u)
      << file.errors[8];
}

TEST(AlertsFile, MalformedYamlIsOneErrorWithALine) {
  const auto file = ReadAlertsText("alerts:\n  rules: [{for: 1s\n", "a.yaml");
  ASSERT_EQ(file.errors.size(), 1u);
  EXPECT_EQ(file.errors[0].rfind("a.yaml:", 0), 0u) << file.errors[0];
}

TEST(AlertsFile, UnreadableFileIsOneError) {
  const auto file = ReadAlertsFile("/nonexistent/pgvigil.yaml");
  ASSERT_EQ(file.errors.size(), 1u);
  EXPECT_NE(file.errors[0].find("cannot read"), std::string::npos);
}

}  // namespace
}  // namespace pgvigil::config
