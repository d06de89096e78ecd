// SPDX-License-Identifier: Apache-2.0
// examples/pgvigil.yaml is read by the daemon's configuration reader without an error, as
// written and with every "# " line uncommented ("## " lines are prose and stay comments).
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/settings_file.h"

namespace pgvigil {
namespace {

using ::testing::IsEmpty;

const std::string kPath = std::string(PGVIGIL_EXAMPLES_DIR) + "/pgvigil.yaml";

std::string ReadExample() {
  std::ifstream in(kPath);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// "# key: value" → "key: value"; "## prose" and "#" alone stay as they are.
std::string Uncommented(const std::string& text) {
  std::istringstream in(text);
  std::string out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("# ")) line = line.substr(2);
    out += line + "\n";
  }
  return out;
}

const char* FakeEnvironment(const char* name) {
  return std::string(name).starts_with("PGVIGIL_") ? "from-the-environment" : nullptr;
}

TEST(ExampleConfigTest, ReadsAsWritten) {
  const config::SettingsFile file = config::ReadSettingsFile(kPath);
  ASSERT_THAT(file.errors, IsEmpty());
  const config::Settings& s = file.settings;
  EXPECT_EQ(s.listen, "127.0.0.1:8787");
  EXPECT_EQ(s.store_path, "var/pgvigil.db");
  ASSERT_EQ(s.tokens.size(), 2u);
  EXPECT_EQ(s.tokens[0].name, "ops");
  EXPECT_EQ(s.tokens[0].role, config::Role::kOperator);
  EXPECT_EQ(s.tokens[1].name, "view");
  EXPECT_EQ(s.tokens[1].role, config::Role::kViewer);
  ASSERT_EQ(s.targets.size(), 1u);
  EXPECT_EQ(s.targets[0].name, "main");
  EXPECT_EQ(s.targets[0].dsn, "host=127.0.0.1 port=5432 dbname=app user=pgvigil_monitor");
  EXPECT_EQ(s.targets[0].region, "local");
  EXPECT_TRUE(s.thresholds.rules.empty());
}

TEST(ExampleConfigTest, OptionalSectionsReadWhenUncommented) {
  const std::string text = Uncommented(ReadExample());
  const config::SettingsFile file = config::ReadSettingsText(text, kPath, FakeEnvironment);
  ASSERT_THAT(file.errors, IsEmpty()) << text;
  const config::Settings& s = file.settings;
  ASSERT_EQ(s.targets.size(), 2u);
  const config::TargetSetting& t = s.targets[1];
  EXPECT_EQ(t.name, "orders-eu");
  EXPECT_THAT(t.dsn, ::testing::EndsWith(" password='from-the-environment'"));
  EXPECT_EQ(t.region, "eu-west");
  EXPECT_EQ(t.labels.at("team"), "checkout");
  EXPECT_EQ(t.databases, (std::vector<std::string>{"orders", "orders_archive"}));
  EXPECT_FALSE(t.pgbouncer_dsn.empty());
  ASSERT_TRUE(t.storage_limit_bytes.has_value());
  EXPECT_EQ(*t.storage_limit_bytes, 500.0 * 1024 * 1024 * 1024);
  EXPECT_EQ(s.fast_interval, std::chrono::seconds(1));
  EXPECT_EQ(s.slow_interval, std::chrono::minutes(5));
  EXPECT_EQ(s.lock_timeout, std::chrono::milliseconds(200));
  EXPECT_THAT(t.maintenance_dsn, ::testing::HasSubstr("user=pgvigil_maint"));
  EXPECT_THAT(t.maintenance_dsn, ::testing::EndsWith(" password='from-the-environment'"));
  EXPECT_EQ(s.maintenance_windows.size(), 2u);
  EXPECT_EQ(s.maintenance_protected_applications.size(), 2u);
  EXPECT_TRUE(s.maintenance_auto_enabled);
  // The keys themselves are checked against analysis' table by the daemon at start-up (and by
  // `pgvigil check --config` on the thresholds section); here: they were read, with overrides.
  EXPECT_EQ(s.thresholds.rules.size(), 6u);  // 4 keys, 2 of them with an override
}

// The uncommenting above is what a reader does by hand: make sure it changed something, so the
// second test cannot pass on the minimal file alone.
TEST(ExampleConfigTest, HasOptionalSections) {
  const std::string text = ReadExample();
  EXPECT_NE(Uncommented(text), text);
  EXPECT_NE(text.find("\n# thresholds:"), std::string::npos);
}

}  // namespace
}  // namespace pgvigil
