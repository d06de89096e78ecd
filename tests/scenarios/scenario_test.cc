// SPDX-License-Identifier: Apache-2.0
// Scenario tests: each folder under tests/scenarios/ holds recorded snapshots and the findings
// analysis must produce from them, readable without C++:
//
//   previous.json   optional: the earlier sample (for rates)
//   current.json    the sample to judge (`pgvigil collect --compact` output, possibly trimmed)
//   thresholds.yaml optional: overrides, as in a config file
//   expected.json   {"status", "score", "findings": [{"id", "severity", "object", "value",
//                   "insufficient_data", "message"}, …]} in the report's order; "value" only
//                   when the finding has one, "insufficient_data" only when true
//
// Run with --update-golden to rewrite every expected.json from what analysis produces now;
// review the diff before committing it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "analysis/analyzer.h"
#include "analysis/health_score.h"
#include "daemon/thresholds_config.h"
#include "model/health_report.h"
#include "store/snapshot_json.h"

namespace pgvigil::testing {
namespace {

namespace fs = std::filesystem;

bool g_update_golden = false;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

model::Snapshot LoadSnapshot(const fs::path& path) {
  auto snapshot = store::SnapshotFromJson(nlohmann::json::parse(ReadFile(path)));
  if (!snapshot.has_value()) {
    ADD_FAILURE() << path << ": " << snapshot.error().message();
    return {};
  }
  return std::move(snapshot).value();
}

nlohmann::json Summarise(const model::HealthReport& report) {
  nlohmann::json findings = nlohmann::json::array();
  for (const model::Finding& f : report.findings) {
    nlohmann::json finding = {{"id", f.id},
                              {"severity", std::string(analysis::SeverityName(f.severity))},
                              {"object", f.object},
                              {"message", f.message}};
    if (f.value) finding["value"] = *f.value;
    if (f.insufficient_data) finding["insufficient_data"] = true;
    findings.push_back(std::move(finding));
  }
  return {{"status", std::string(analysis::HealthStatusName(report.status))},
          {"score", report.score},
          {"findings", std::move(findings)}};
}

class Scenario : public ::testing::TestWithParam<std::string> {};

TEST_P(Scenario, ProducesTheExpectedFindings) {
  const fs::path dir = fs::path(PGVIGIL_SCENARIO_DIR) / GetParam();
  const model::Snapshot current = LoadSnapshot(dir / "current.json");
  std::optional<model::Snapshot> previous;
  if (fs::exists(dir / "previous.json")) previous = LoadSnapshot(dir / "previous.json");
  analysis::Thresholds thresholds;
  if (fs::exists(dir / "thresholds.yaml")) {
    auto t = daemon::LoadThresholdsFile((dir / "thresholds.yaml").string());
    ASSERT_TRUE(t.has_value()) << t.error().message();
    thresholds = std::move(t).value();
  }
  const analysis::History history;
  const analysis::CheckInput input{current, previous ? &*previous : nullptr, history, thresholds};
  const nlohmann::json actual = Summarise(analysis::Analyze(input));
  const fs::path expected_path = dir / "expected.json";
  if (g_update_golden) {
    std::ofstream(expected_path) << actual.dump(2) << "\n";
    return;
  }
  ASSERT_TRUE(fs::exists(expected_path)) << "run with --update-golden to create " << expected_path;
  const nlohmann::json expected = nlohmann::json::parse(ReadFile(expected_path));
  EXPECT_EQ(actual, expected) << "actual:\n" << actual.dump(2);
}

std::vector<std::string> ScenarioNames() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(PGVIGIL_SCENARIO_DIR)) {
    if (entry.is_directory() && fs::exists(entry.path() / "current.json")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

INSTANTIATE_TEST_SUITE_P(Scenarios, Scenario, ::testing::ValuesIn(ScenarioNames()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name = param_info.param;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Scenario);

}  // namespace
}  // namespace pgvigil::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--update-golden") pgvigil::testing::g_update_golden = true;
  }
  return RUN_ALL_TESTS();
}
