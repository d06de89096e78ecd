// SPDX-License-Identifier: Apache-2.0
// query.regression's statement baselines over a full history, as the daemon holds it after a
// week (analysis.history_max_samples = 24 statement samples) of the large benchmark database
// (≈ 5,650 statements): computed at every standard tick without a memo, once per loaded
// history with one (analysis/statement_baselines.h).
//
//   pgvigil_history_bench [--benchmark_repetitions=5 --benchmark_report_aggregates_only=true]
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "analysis/statement_baselines.h"

namespace {

constexpr int kSamples = 24;
constexpr int kStatements = 5650;

std::vector<pgvigil::model::Snapshot> FullHistory() {
  std::vector<pgvigil::model::Snapshot> out;
  for (int i = 0; i < kSamples; ++i) {
    pgvigil::model::Snapshot s;
    s.target = "large";
    s.collected_at = pgvigil::common::TimestampFromEpochSeconds(1'000'000.0 + 25'200.0 * i);
    pgvigil::model::CollectorOutcome ok;
    ok.collector = "stat_statements";
    ok.tier = "standard";
    s.outcomes = {ok};
    std::vector<pgvigil::model::StatementStats> statements;
    statements.reserve(kStatements);
    for (int q = 0; q < kStatements; ++q) {
      pgvigil::model::StatementStats st;
      st.userid = 10 + static_cast<std::uint32_t>(q % 3);
      st.dbid = 5;
      st.queryid = 1'000'003LL * q;
      st.toplevel = true;
      st.calls = 100LL * (i + 1) + q;
      st.total_exec_time = 2.5 * static_cast<double>(st.calls);
      st.rows = st.calls;
      statements.push_back(st);
    }
    s.statements = std::move(statements);
    out.push_back(std::move(s));
  }
  return out;
}

void Summarise(benchmark::State& state, bool memo) {
  const auto samples = FullHistory();
  pgvigil::analysis::History history;
  for (const auto& s : samples) history.snapshots.push_back(&s);
  if (memo) history.memo = std::make_shared<pgvigil::analysis::HistoryMemo>();
  for (auto _ : state) {
    benchmark::DoNotOptimize(pgvigil::analysis::SummariseStatementHistory(history, samples.back()));
  }
}

void BM_BaselinesEveryTick(benchmark::State& state) { Summarise(state, false); }
void BM_BaselinesMemoised(benchmark::State& state) { Summarise(state, true); }

BENCHMARK(BM_BaselinesEveryTick)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BaselinesMemoised)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
