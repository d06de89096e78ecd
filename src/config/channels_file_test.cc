// SPDX-License-Identifier: Apache-2.0
#include "config/channels_file.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pgvigil::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::optional<std::string> FakeEnv(const std::string& name) {
  if (name == "SLACK_URL") return "https://hooks.slack.com/services/T0/B0/SECRETPATH";
  if (name == "HOOK_KEY") return "hmac-key-value";
  return std::nullopt;
}

TEST(ReadChannelsText, ReadsEveryChannelTypeAndRoute) {
  const std::string path = std::filesystem::temp_directory_path() / "pgvigil-smtp-password";
  std::ofstream(path) << "smtp-pass\n";
  const std::string text = R"(
alerts:
  rules: [{check: "locks.*", for: 0s}]   # read by alerts_file, ignored here
  channels:
    - {name: hook, type: webhook, url: "https://ops.example/hook", hmac_secret_env: HOOK_KEY}
    - {name: oncall, type: slack, url_env: SLACK_URL}
    - name: mail
      type: email
      smtp:
        url: "smtp://mail.example:587"
        from: pgvigil@example.org
        to: [dba@example.org, oncall@example.org]
        username: pgvigil
        password_file: )" + path +
                           R"(
        starttls: false
    - {name: am, type: alertmanager, url: "http://alertmanager:9093"}
  routes:
    - match: {severity_min: critical, targets: ["prod-*"], labels: {region: eu}}
      channels: [oncall, mail]
    - channels: [hook, am]
)";
  const ChannelsFile file = ReadChannelsText(text, "pgvigil.yaml", FakeEnv);
  ASSERT_THAT(file.errors, IsEmpty());
  ASSERT_EQ(file.channels.size(), 4u);
  EXPECT_EQ(file.channels[0].hmac_secret, "hmac-key-value");
  EXPECT_EQ(file.channels[1].url, "https://hooks.slack.com/services/T0/B0/SECRETPATH");
  EXPECT_EQ(file.channels[2].smtp.password, "smtp-pass");
  EXPECT_FALSE(file.channels[2].smtp.starttls);
  EXPECT_THAT(file.channels[2].smtp.to, ElementsAre("dba@example.org", "oncall@example.org"));
  EXPECT_EQ(file.channels[3].type, "alertmanager");
  EXPECT_EQ(file.channels[3].line, 16);
  ASSERT_EQ(file.routes.size(), 2u);
  EXPECT_EQ(file.routes[0].severity_min, "critical");
  EXPECT_THAT(file.routes[0].targets, ElementsAre("prod-*"));
  EXPECT_EQ(file.routes[0].labels.at("region"), "eu");
  EXPECT_EQ(file.routes[1].severity_min, "warning");
  std::remove(path.c_str());
}

TEST(ReadChannelsText, RejectsLiteralSecretsWithoutShowingThem) {
  const std::string text = R"(
alerts:
  channels:
    - {name: oncall, type: slack, url: "https://hooks.slack.com/services/T0/B0/LITERAL"}
    - {name: hook, type: webhook, url: "https://user:pw-LITERAL@ops.example/hook"}
    - name: mail
      type: email
      smtp: {url: "smtp://mail:25", from: a@b, to: [c@d], username: u, password: LITERALPW}
)";
  const ChannelsFile file = ReadChannelsText(text, "f.yaml", FakeEnv);
  ASSERT_EQ(file.errors.size(), 4u);
  EXPECT_THAT(file.errors[0],
              HasSubstr("f.yaml:4: channel oncall: a Slack webhook URL is a secret"));
  EXPECT_THAT(file.errors[1], HasSubstr("f.yaml:5: channel hook: a URL with credentials"));
  EXPECT_THAT(file.errors[2], HasSubstr("unknown key 'password'"));
  EXPECT_THAT(file.errors[3], HasSubstr("a username needs password_env or password_file"));
  for (const std::string& e : file.errors) EXPECT_THAT(e, Not(HasSubstr("LITERAL")));
}

TEST(ReadChannelsText, ReportsMissingSecretsTypesAndUnknownRouteChannels) {
  const std::string text = R"(
alerts:
  channels:
    - {name: oncall, type: slack, url_env: NOT_SET}
    - {name: x, type: pager}
    - {name: x, type: alertmanager, url: "ftp://am"}
  routes:
    - match: {severity_min: loud}
      channels: [oncall, nobody]
)";
  const ChannelsFile file = ReadChannelsText(text, "f.yaml", FakeEnv);
  EXPECT_THAT(file.errors,
              ElementsAre(HasSubstr("f.yaml:4: channel oncall: environment variable NOT_SET"),
                          HasSubstr("f.yaml:5: channel x: type must be"),
                          HasSubstr("f.yaml:6: channel x is defined twice"),
                          HasSubstr("f.yaml:6: channel x: the URL must start with http"),
                          HasSubstr("f.yaml:8: severity_min must be"),
                          HasSubstr("f.yaml:9: route names unknown channel 'nobody'")));
}

TEST(ReadChannelsText, AFileWithoutChannelsHasNone) {
  const ChannelsFile file = ReadChannelsText("targets: []\nalerts: {rules: []}\n", "f", FakeEnv);
  EXPECT_THAT(file.errors, IsEmpty());
  EXPECT_THAT(file.channels, IsEmpty());
}

}  // namespace
}  // namespace pgvigil::config
