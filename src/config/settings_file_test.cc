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

namespace pgvigil::config {
namespace {

TEST(SettingsFile, ReadsTheMaintenanceSectionAndTheMaintenanceDsn) {
  const SettingsFile f = Read(R"(
maintenance:
  windows: ["daily 01:00-05:00", "sat,sun 00:00-06:00"]
  lock_timeout: 250ms
  lock_attempts: 3
  trusted_owners: [app_owner]
  protected_roles: [replicator, "batch_*"]
  protected_applications: [pg_dump]
  max_concurrent: 2
  auto: { enabled: true, interval: 10min, max_per_run: 3, reindex_bloat: 40% }
targets:
  - name: main
    dsn: "host=db dbname=app"
    maintenance_dsn: "host=db dbname=app user=pgvigil_maint"
    maintenance_password_env: DB_PASSWORD
  - { name: plain, dsn: "host=db2 dbname=app" }
)");
  EXPECT_THAT(f.errors, IsEmpty()) << AllErrors(f);
  const Settings& s = f.settings;
  EXPECT_EQ(s.maintenance_windows,
            (std::vector<std::string>{"daily 01:00-05:00", "sat,sun 00:00-06:00"}));
  EXPECT_EQ(s.maintenance_windows_where.line, 3);
  EXPECT_EQ(s.maintenance_lock_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(s.maintenance_lock_attempts, 3);
  EXPECT_EQ(s.maintenance_lock_retry_delay, std::chrono::seconds(2));  // the default
  EXPECT_EQ(s.maintenance_trusted_owners, std::vector<std::string>{"app_owner"});
  EXPECT_EQ(s.maintenance_protected_roles.size(), 2u);
  EXPECT_EQ(s.maintenance_protected_applications, std::vector<std::string>{"pg_dump"});
  EXPECT_EQ(s.maintenance_max_concurrent, 2);
  EXPECT_TRUE(s.maintenance_auto_enabled);
  EXPECT_EQ(s.maintenance_auto_interval, std::chrono::minutes(10));
  EXPECT_EQ(s.maintenance_auto_max_per_run, 3);
  EXPECT_DOUBLE_EQ(s.maintenance_auto_reindex_bloat, 0.4);
  ASSERT_EQ(s.targets.size(), 2u);
  EXPECT_EQ(s.targets[0].maintenance_dsn,
            R"(host=db dbname=app user=pgvigil_maint password='pa\'ss')");
  EXPECT_EQ(s.targets[1].maintenance_dsn, "");
  const Settings defaults = DefaultSettings();
  EXPECT_FALSE(defaults.maintenance_auto_enabled);
  EXPECT_EQ(defaults.maintenance_max_concurrent, 1);
  EXPECT_TRUE(defaults.maintenance_windows.empty());
}

TEST(SettingsFile, ReportsMaintenanceMistakesWithTheirLinesAndNoSecret) {
  const SettingsFile f = Read(R"(
maintenance:
  windows: "daily 01:00-05:00"
  lock_attempts: many
  unknown_knob: 1
targets:
  - { name: a, dsn: "host=db", maintenance_password: "s3cret-value" }
  - { name: b, dsn: "host=db", maintenance_dsn: "postgres://m@db/app",
      maintenance_password_env: DB_PASSWORD }
)");
  const std::string errors = AllErrors(f);
  EXPECT_THAT(errors, HasSubstr("pgvigil.yaml:3: maintenance.windows must be a list of strings"));
  EXPECT_THAT(errors, HasSubstr("pgvigil.yaml:4: maintenance.lock_attempts"));
  EXPECT_THAT(errors, HasSubstr("pgvigil.yaml:5: unknown setting 'maintenance.unknown_knob'"));
  EXPECT_THAT(errors, HasSubstr("target a: maintenance_password needs a maintenance_dsn"));
  EXPECT_THAT(errors, HasSubstr("target b: maintenance_password_env/_file need a key=value"));
  EXPECT_THAT(errors, ::testing::Not(HasSubstr("s3cret")));
  EXPECT_THAT(errors, ::testing::Not(HasSubstr("pa'ss")));
}

}  // namespace
}  // namespace pgvigil::config
