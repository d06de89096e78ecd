// SPDX-License-Identifier: Apache-2.0
// Steady-state cost of one collection, as the daemon will pay it: one connection kept open,
// the same tier collected RUNS times after a warm-up (a new backend's catalog caches are cold,
// which a long-lived monitoring session does not see).
//
//   pgvigil_collect_bench DSN TIER RUNS
//
// Prints one tab-separated line: tier, runs, wall ms median, wall ms min, wall ms max, pipeline
// ms median (the collectors' share of the round trip), client CPU ms median (user + system),
// peak RSS MiB, rows per collection, collectors not ok.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "collect/collection.h"
#include "pg/libpq_session.h"

namespace {

using pgvigil::collect::Tier;

double CpuMillis() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3) +
         (static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s DSN fast|standard|slow|all RUNS\n", argv[0]);
    return 2;
  }
  std::vector<Tier> tiers;
  if (std::string(argv[2]) == "all") {
    tiers = {Tier::kFast, Tier::kStandard, Tier::kSlow};
  } else {
    Tier t;
    if (!pgvigil::collect::ParseTier(argv[2], &t)) {
      std::fprintf(stderr, "unknown tier %s\n", argv[2]);
      return 2;
    }
    tiers = {t};
  }
  const int runs = std::max(1, std::atoi(argv[3]));
  pgvigil::pg::SessionOptions options;
  options.dsn = argv[1];
  options.statement_timeout = std::chrono::milliseconds(30000);
  auto session = pgvigil::pg::LibpqSession::Connect(options);
  if (!session.has_value()) {
    std::fprintf(stderr, "%s\n", session.error().ToString().c_str());
    return 1;
  }
  const pgvigil::collect::CollectorOptions collector_options;
  std::vector<double> wall, pipeline, cpu;
  int rows = 0;
  std::string not_ok;
  for (int i = -1; i < runs; ++i) {  // i = -1: the warm-up
    pgvigil::model::Snapshot snapshot;
    const double cpu0 = CpuMillis();
    const auto t0 = std::chrono::steady_clock::now();
    pgvigil::collect::RunCollectors(**session, pgvigil::collect::BuiltinCollectors(), tiers,
                                    collector_options, pgvigil::collect::QueryCatalog::Builtin(),
                                    snapshot);
    const auto t1 = std::chrono::steady_clock::now();
    const double cpu1 = CpuMillis();
    if (i < 0) continue;
    wall.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    cpu.push_back(cpu1 - cpu0);
    double p = 0;
    rows = 0;
    not_ok.clear();
    for (const auto& o : snapshot.outcomes) {
      p += o.duration_seconds * 1e3;
      rows += o.rows;
      if (o.status != pgvigil::model::CollectorStatus::kOk) not_ok += o.collector + " ";
    }
    pipeline.push_back(p);
  }
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  std::printf("%s\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t%d\t%s\n", argv[2], runs, Median(wall),
              *std::min_element(wall.begin(), wall.end()),
              *std::max_element(wall.begin(), wall.end()), Median(pipeline), Median(cpu),
              static_cast<double>(u.ru_maxrss) / 1024.0, rows, not_ok.empty() ? "-" : not_ok.c_str());
  return 0;
}
