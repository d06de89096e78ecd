// SPDX-License-Identifier: Apache-2.0
// The SQLite history store: AppendPoints throughput (batches as one collection cycle writes
// them) and QuerySeries latency over a day of 1 s points. Files go to $TMPDIR (or /tmp).
//
//   pgvigil_store_bench [--benchmark_filter=…]
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "store/sqlite_history_store.h"

namespace {

using pgvigil::common::TimestampFromEpochSeconds;
using pgvigil::store::SqliteHistoryStore;
constexpr double kT0 = 1'800'000'000;

std::string FreshPath(const std::string& name) {
  const char* tmp = std::getenv("TMPDIR");
  const std::filesystem::path dir =
      std::filesystem::path(tmp != nullptr ? tmp : "/tmp") / "pgvigil_store_bench";
  std::filesystem::create_directories(dir);
  const std::filesystem::path path = dir / name;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path.string() + suffix);
  }
  return path.string();
}

std::unique_ptr<SqliteHistoryStore> OpenOrDie(const std::string& path) {
  auto store = SqliteHistoryStore::Open(path);
  if (!store.has_value()) {
    std::fprintf(stderr, "%s\n", store.error().ToString().c_str());
    std::exit(1);
  }
  return std::move(*store);
}

// One batch: `series` series (one metric, a label each) at one second.
std::vector<pgvigil::model::MetricPoint> Batch(int series, double at) {
  std::vector<pgvigil::model::MetricPoint> points;
  for (int i = 0; i < series; ++i) {
    points.push_back({"db1",
                      "pgvigil_connections",
                      {{"state", std::to_string(i)}},
                      TimestampFromEpochSeconds(at),
                      static_cast<double>(i)});
  }
  return points;
}

void BM_AppendPoints(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  auto store = OpenOrDie(FreshPath("append.db"));
  double at = kT0;
  for (auto _ : state) {
    const auto points = Batch(series, at);
    at += 1;
    if (!store->AppendPoints(points).ok()) state.SkipWithError("append failed");
  }
  state.SetItemsProcessed(state.iterations() * series);
}
BENCHMARK(BM_AppendPoints)->Arg(1)->Arg(50)->Arg(500)->Unit(benchmark::kMicrosecond);

void BM_QuerySeriesDayOfSeconds(benchmark::State& state) {
  static std::unique_ptr<SqliteHistoryStore> store = [] {
    auto s = OpenOrDie(FreshPath("query.db"));
    std::vector<pgvigil::model::MetricPoint> points;
    for (int i = 0; i < 86400; ++i) {
      points.push_back({"db1", "m", {}, TimestampFromEpochSeconds(kT0 + i), i % 100 * 1.0});
    }
    if (!s->AppendPoints(points).ok()) std::exit(1);
    return s;
  }();
  const pgvigil::store::SeriesQuery query{"db1",
                                          "m",
                                          {},
                                          TimestampFromEpochSeconds(kT0),
                                          TimestampFromEpochSeconds(kT0 + 86400),
                                          std::chrono::seconds(state.range(0)),
                                          pgvigil::store::Aggregation::kAvg};
  for (auto _ : state) {
    auto result = store->QuerySeries(query);
    if (!result.has_value()) state.SkipWithError("query failed");
    benchmark::DoNotOptimize(result);
  }
}
// Step 60 s reads raw points; 300 s the roll-up, here uncompacted, so raw as well.
BENCHMARK(BM_QuerySeriesDayOfSeconds)->Arg(60)->Arg(300)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
