// SPDX-License-Identifier: Apache-2.0
// Time of one analysis (every check plus the score) of two recorded snapshots, excluding the
// sampling interval and the JSON parsing:
//
//   pgvigil_analyze_bench PREVIOUS.json CURRENT.json RUNS
//
// Prints: runs, median ms, min ms, max ms, findings.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/analyzer.h"
#include "store/snapshot_json.h"

namespace {

pgvigil::model::Snapshot Load(const char* path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  auto snapshot = pgvigil::store::SnapshotFromJson(nlohmann::json::parse(s.str()));
  if (!snapshot.has_value()) {
    std::fprintf(stderr, "%s: %s\n", path, snapshot.error().message().c_str());
    std::exit(1);
  }
  return std::move(snapshot).value();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s PREVIOUS.json CURRENT.json RUNS\n", argv[0]);
    return 2;
  }
  const pgvigil::model::Snapshot previous = Load(argv[1]);
  const pgvigil::model::Snapshot current = Load(argv[2]);
  const int runs = std::max(1, std::atoi(argv[3]));
  const pgvigil::analysis::Thresholds thresholds;
  const pgvigil::analysis::History history;
  std::vector<double> ms;
  size_t findings = 0;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const pgvigil::analysis::CheckInput input{current, &previous, history, thresholds};
    const auto report = pgvigil::analysis::Analyze(input);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    findings = report.findings.size();
  }
  // Which checks the time goes to (one pass each), to stderr.
  std::vector<std::pair<double, std::string>> per_check;
  for (const pgvigil::analysis::Check* check : pgvigil::analysis::BuiltinChecks()) {
    const pgvigil::analysis::CheckInput input{current, &previous, history, thresholds};
    std::vector<pgvigil::model::Finding> out;
    const auto t0 = std::chrono::steady_clock::now();
    check->Evaluate(input, out);
    per_check.emplace_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count(),
        std::string(check->ids().front()));
  }
  std::sort(per_check.rbegin(), per_check.rend());
  for (size_t i = 0; i < std::min<size_t>(5, per_check.size()); ++i) {
    std::fprintf(stderr, "%8.2f ms  %s\n", per_check[i].first, per_check[i].second.c_str());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%d\t%.2f\t%.2f\t%.2f\t%zu\n", runs, ms[ms.size() / 2], ms.front(), ms.back(), findings);
  return 0;
}
