// SPDX-License-Identifier: Apache-2.0
#include "config/settings_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "config/settings_table.h"

namespace pgvigil::config {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

const char* FakeEnvironment(const char* name) {
  if (std::strcmp(name, "OPS_TOKEN") == 0) return "from-the-environment";
  if (std::strcmp(name, "DB_PASSWORD") == 0) return "pa'ss";
  return nullptr;
}

SettingsFile Read(const std::string& text) {
  return ReadSettingsText(text, "pgvigil.yaml", &FakeEnvironment);
}

std::string AllErrors(const SettingsFile& f) {
  std::string out;
  for (const auto& e : f.errors) out += e + "\n";
  return out;
}

TEST(SettingsFile, ReadsTheMinimalConfigOfTheIssueAsWritten) {
  const SettingsFile f = Read(R"(
listen: "127.0.0.1:8787"
store: { path: "var/pgvigil.db" }
auth:
  tokens:
    - { name: ops, token: "op-secret", role: operator }
    - { name: view, token: "view-secret", role: viewer }
targets:
  - { name: main, dsn: "host=127.0.0.1 port=5432 dbname=app user=pgvigil_monitor", region: local }
)");
  ASSERT_THAT(f.errors, IsEmpty()) << AllErrors(f);
  EXPECT_EQ(f.settings.listen, "127.0.0.1:8787");
  EXPECT_EQ(f.settings.store_path, "var/pgvigil.db");
  ASSERT_EQ(f.settings.tokens.size(), 2u);
  EXPECT_EQ(f.settings.tokens[0].role, Role::kOperator);
  EXPECT_EQ(f.settings.tokens[1].secret, "view-secret");
  ASSERT_EQ(f.settings.targets.size(), 1u);
  EXPECT_EQ(f.settings.targets[0].region, "local");
  // Defaults come from the table.
  EXPECT_EQ(f.settings.fast_interval, std::chrono::seconds(1));
  EXPECT_EQ(f.settings.slow_interval, std::chrono::minutes(5));
}

TEST(SettingsFile, EveryDefaultOfTheTableParses) {
  for (const SettingRow& row : SettingsTable()) {
    Settings s;
    EXPECT_TRUE(ApplySetting(row, row.default_text, s).ok()) << row.key;
  }
}

TEST(SettingsFile, ReportsEveryProblemWithItsLine) {
  const SettingsFile f = Read(R"(listen: "127.0.0.1:8787"
schedule: { fast: fast, slow: 0s }
colect: {}
log: { level: loud, format: xml }
auth:
  tokens:
    - { name: ops, token: "op-secret", role: root }
targets:
  - { name: main, dsn: "host=x", colour: blue }
  - { name: main, region: eu }
)");
  const std::string errors = AllErrors(f);
  EXPECT_THAT(errors, HasSubstr("pgvigil.yaml:2: schedule.fast: "));
  EXPECT_THAT(errors, HasSubstr("pgvigil.yaml:2: schedule.slow: must be longer than zero"));
  EXPECT_THAT(errors, HasSubstr("pgvigil.yaml:3: unknown top-level key 'colect'"));
  EXPECT_THAT(errors, HasSubstr("pgvigil.yaml:4: log.level: 'loud' is not debug"));
  EXPECT_THAT(errors, HasSubstr("pgvigil.yaml:4: log.format: 'xml' is not text or json"));
  EXPECT_THAT(errors, HasSubstr("pgvigil.yaml:7: role 'root' is not viewer, operator or admin"));
  EXPECT_THAT(errors, HasSubstr("pgvigil.yaml:9: unknown key 'colour' in target main"));
  EXPECT_THAT(errors, HasSubstr("pgvigil.yaml:10: target name 'main' is used twice"));
  EXPECT_THAT(errors, HasSubstr("target main: needs a dsn"));
  // The unknown top-level key is reported once although two readers look at the file.
  EXPECT_EQ(std::count(f.errors.begin(), f.errors.end(),
                       "pgvigil.yaml:3: unknown top-level key 'colect'"),
            1);
}

TEST(SettingsFile, ResolvesSecretsFromTheEnvironmentWithoutEchoingThem) {
  const SettingsFile f = Read(R"(
auth:
  tokens:
    - { name: ops, token_env: OPS_TOKEN, role: admin }
    - { name: gone, token_env: NOT_SET, role: viewer }
    - { name: short, token: "abc", role: viewer }
targets:
  - { name: main, dsn: "host=db dbname=app", password_env: DB_PASSWORD }
)");
  ASSERT_EQ(f.settings.tokens.size(), 3u);
  EXPECT_EQ(f.settings.tokens[0].secret, "from-the-environment");
  EXPECT_THAT(AllErrors(f), HasSubstr("environment variable NOT_SET is not set"));
  EXPECT_THAT(AllErrors(f), HasSubstr("token short: shorter than 8 characters"));
  EXPECT_THAT(AllErrors(f), ::testing::Not(HasSubstr("abc")));
  EXPECT_EQ(f.settings.targets[0].dsn, R"(host=db dbname=app password='pa\'ss')");
}

TEST(SettingsFile, ReadsDatabasesLabelsAndStorageLimit) {
  const SettingsFile f = Read(R"(
targets:
  - name: main
    dsn: "host=db dbname=app"
    labels: { env: prod, team: payments }
    databases: { exclude: ["scratch_*"] }
    storage_limit: 100GB
  - name: other
    dsn: "host=db2 dbname=app"
    databases: [app, reports]
    labels: { target: x }
)");
  EXPECT_THAT(AllErrors(f), HasSubstr("'target' cannot be a label name"));
  ASSERT_EQ(f.settings.targets.size(), 2u);
  const TargetSetting& main = f.settings.targets[0];
  EXPECT_EQ(main.labels.at("team"), "payments");
  EXPECT_EQ(main.include_patterns, std::vector<std::string>{"*"});
  EXPECT_EQ(main.exclude_patterns, std::vector<std::string>{"scratch_*"});
  EXPECT_DOUBLE_EQ(*main.storage_limit_bytes, 100.0 * 1024 * 1024 * 1024);
  EXPECT_EQ(f.settings.targets[1].databases, (std::vector<std::string>{"app", "reports"}));
}

TEST(SettingsFile, MalformedYamlIsOneErrorWithItsLine) {
  const SettingsFile f = Read("listen: [\n");
  ASSERT_EQ(f.errors.size(), 1u) << AllErrors(f);
  EXPECT_THAT(f.errors[0], HasSubstr("pgvigil.yaml:"));
}

TEST(SettingsTable, MarkdownListsEveryKey) {
  const std::string md = SettingsMarkdown();
  for (const SettingRow& row : SettingsTable()) EXPECT_THAT(md, HasSubstr(std::string(row.key)));
}

}  // namespace
}  // namespace pgvigil::config

namespace pgvigil::config {
namespace {

TEST(SettingsFile, ReadsTheAlertsSectionWithItsErrorsAndLines) {
  const SettingsFile good = ReadSettingsText(R"(
targets:
  - {name: main, dsn: "host=db"}
alerts:
  defaults: {for: 2s}
  rules:
    - {check: locks.blocking, for: 0s}
  channels:
    - {name: hook, type: webhook, url: "http://127.0.0.1:9/hook", hmac_secret_env: OPS_TOKEN}
  routes:
    - channels: [hook]
)",
                                             "pgvigil.yaml", &FakeEnvironment);
  ASSERT_TRUE(good.errors.empty()) << good.errors.front();
  ASSERT_EQ(good.settings.alerts.rules.size(), 1u);
  EXPECT_EQ(good.settings.alerts.rules[0].check_pattern, "locks.blocking");
  ASSERT_EQ(good.settings.channels.channels.size(), 1u);
  EXPECT_EQ(good.settings.channels.channels[0].hmac_secret, "from-the-environment");
  ASSERT_EQ(good.settings.channels.routes.size(), 1u);

  const SettingsFile bad = ReadSettingsText(R"(
targets:
  - {name: main, dsn: "host=db"}
alerts:
  rules:
    - {check: locks.blocking, for: banana}
  channels:
    - {name: hook, type: pager, url: "http://127.0.0.1:9/hook"}
)",
                                            "pgvigil.yaml", &FakeEnvironment);
  ASSERT_GE(bad.errors.size(), 2u);
  std::string all;
  for (const std::string& e : bad.errors) all += e + "\n";
  EXPECT_NE(all.find("pgvigil.yaml:6:"), std::string::npos) << all;
  EXPECT_NE(all.find("pgvigil.yaml:8:"), std::string::npos) << all;
}

}  // namespace
}  // namespace pgvigil::config
