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
  std::sort(ms.begin(), ms.end());
  std::printf("%d\t%.2f\t%.2f\t%.2f\t%zu\n", runs, ms[ms.size() / 2], ms.front(), ms.back(), findings);
  return 0;
}
