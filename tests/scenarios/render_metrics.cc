// SPDX-License-Identifier: Apache-2.0
// Renders /metrics for a recorded scenario, as the daemon would for one target whose cache holds
// the scenario's snapshots and their analysis:
//
//   pgvigil_render_metrics SCENARIO_DIR OUT_FILE [--update-golden]
//
// Writes the exposition to OUT_FILE, then compares it with SCENARIO_DIR/metrics.prom (exit 1 and
// the first differing line when they differ); --update-golden rewrites metrics.prom instead.
// check_metrics.cmake runs this and then `promtool check metrics` on OUT_FILE. Thresholds are
// the defaults: the scenario's thresholds.yaml, if any, is for the findings test.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/analyzer.h"
#include "http/prometheus_exposition.h"
#include "model/health_report.h"
#include "store/snapshot_json.h"

namespace {

namespace fs = std::filesystem;
using namespace pgvigil;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::shared_ptr<const model::Snapshot> Load(const fs::path& path) {
  auto snapshot = store::SnapshotFromJson(nlohmann::json::parse(ReadFile(path)));
  if (!snapshot.has_value()) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), snapshot.error().message().c_str());
    std::exit(2);
  }
  return std::make_shared<const model::Snapshot>(std::move(snapshot).value());
}

std::shared_ptr<const model::TargetState> ScenarioTarget(const fs::path& dir) {
  auto state = std::make_shared<model::TargetState>();
  state->current = Load(dir / "current.json");
  std::shared_ptr<const model::Snapshot> previous;
  if (fs::exists(dir / "previous.json")) previous = Load(dir / "previous.json");
  const analysis::Thresholds thresholds;
  const analysis::History history;
  const analysis::CheckInput input{*state->current, previous.get(), history, thresholds};
  state->report = std::make_shared<const model::HealthReport>(analysis::Analyze(input));

  state->name = dir.filename().string();
  state->region = "eu-test-1";
  // Configured labels that need work: escaping, sanitising, and a reserved name.
  state->labels = {{"team", "db \"core\"\\ops"}, {"job", "billing"}, {"cost-centre", "42"}};
  state->reachability = model::Reachability::kUp;
  state->last_success = state->current->collected_at;
  const std::pair<const char*, double> tiers[] = {{"fast", 1}, {"standard", 15}, {"slow", 300}};
  for (const auto& [tier, interval] : tiers) {
    model::TierState t;
    t.tier = tier;
    t.interval_seconds = interval;
    t.last_attempt = state->current->collected_at;
    t.last_success = state->current->collected_at;
    t.last_duration_seconds = state->current->duration_seconds;
    t.collections_total = 10;
    state->tiers.push_back(std::move(t));
  }
  return state;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s SCENARIO_DIR OUT_FILE [--update-golden]\n", argv[0]);
    return 2;
  }
  const fs::path dir = argv[1];
  const bool update = argc > 3 && std::string(argv[3]) == "--update-golden";

  const std::vector<std::shared_ptr<const model::TargetState>> targets = {ScenarioTarget(dir)};
  http::SelfMetrics self;
  self.process_start_time_seconds = 1.7e9;
  self.store_size_bytes = 4096;
  self.scrapes_total = 7;
  self.last_scrape_duration_seconds = 0.002;
  self.sse_clients = 1;
  self.http_requests_total = {{{{"route", "/metrics"}, {"method", "GET"}, {"code", "200"}}, 7}};
  std::string text;
  http::RenderMetrics(targets, self, http::ExpositionOptions{}, text);
  // The daemon sends the same exposition in pieces: joined, they must be the whole.
  std::string pieces;
  http::ExpositionRender render(targets, self, http::ExpositionOptions{});
  for (std::size_t n = 0; render.Next(pieces, 1); ++n) {
    if (pieces.back() != '\n') {
      std::fprintf(stderr, "piece %zu does not end a line\n", n);
      return 1;
    }
  }
  if (pieces != text) {
    std::fprintf(stderr, "the exposition in pieces differs from the whole one\n");
    return 1;
  }

  std::ofstream(argv[2], std::ios::binary) << text;
  const fs::path golden = dir / "metrics.prom";
  if (update) {
    std::ofstream(golden, std::ios::binary) << text;
    return 0;
  }
  if (!fs::exists(golden)) {
    std::fprintf(stderr, "%s is missing: run with --update-golden\n", golden.c_str());
    return 1;
  }
  const std::string expected = ReadFile(golden);
  if (expected == text) return 0;
  std::istringstream a(expected);
  std::istringstream b(text);
  std::string la;
  std::string lb;
  for (int line = 1;; ++line) {
    const bool ga = static_cast<bool>(std::getline(a, la));
    const bool gb = static_cast<bool>(std::getline(b, lb));
    if (!ga && !gb) break;
    if (!ga || !gb || la != lb) {
      std::fprintf(stderr, "%s differs at line %d:\n  expected: %s\n  actual:   %s\n",
                   golden.c_str(), line, ga ? la.c_str() : "(end)", gb ? lb.c_str() : "(end)");
      break;
    }
  }
  std::fprintf(stderr, "review the difference, then refresh with --update-golden\n");
  return 1;
}
