// SPDX-License-Identifier: Apache-2.0
// Time of one /metrics render (http::RenderMetrics) of a large synthetic target: 5,000 tables,
// 10,000 indexes, 5,000 pg_stat_statements entries, 20 databases, 300 backends, 60 settings.
//
//   pgvigil_metrics_bench [--benchmark_repetitions=5]
//
// BM_RenderMetrics/0 renders with the default cap (100 statements); /1 with every statement.
// The output string is reused across iterations, as the daemon reuses its buffer per scrape.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "http/prometheus_exposition.h"
#include "model/health_report.h"

namespace {

using namespace pgvigil;

std::shared_ptr<const model::TargetState> LargeTarget() {
  auto s = std::make_shared<model::Snapshot>();
  s->target = "bench";
  s->collected_at = common::TimestampFromEpochSeconds(1.7e9);
  s->server.server_version_num = 160004;
  s->server.server_version = "16.4";
  for (const char* c : {"stat_activity", "locks", "replication", "stat_database", "stat_statements",
                        "wraparound", "checkpointer", "wal", "archiver", "settings",
                        "stat_user_tables", "stat_user_indexes", "storage", "sequences"}) {
    model::CollectorOutcome o;
    o.collector = c;
    o.duration_seconds = 0.01;
    s->outcomes.push_back(o);
  }
  for (int d = 0; d < 20; ++d) {
    model::DatabaseStats db;
    db.datid = static_cast<std::uint32_t>(16384 + d);
    db.datname = fmt::format("db_{:02}", d);
    db.xact_commit = 123456789 + d;
    db.blks_hit = 987654321;
    s->databases.push_back(db);
    s->database_sizes.push_back({db.datname, 1 << 30});
    s->database_ages.push_back({db.datname, 150000000, 1000, true});
  }
  for (int b = 0; b < 300; ++b) {
    model::Backend be;
    be.pid = 1000 + b;
    be.datname = fmt::format("db_{:02}", b % 20);
    be.state = b % 3 == 0 ? "active" : "idle";
    be.xact_age_seconds = b * 0.5;
    s->activity.push_back(be);
  }
  for (int t = 0; t < 5000; ++t) {
    model::TableStats ts;
    ts.datname = "app";
    ts.schemaname = fmt::format("schema_{}", t % 10);
    ts.relname = fmt::format("table_with_a_realistic_name_{}", t);
    ts.seq_scan = 1000 + t;
    ts.seq_tup_read = 1000000 + t;
    ts.idx_scan = 50000 + t;
    ts.idx_tup_fetch = 70000 + t;
    ts.n_tup_ins = ts.n_tup_upd = ts.n_tup_del = 12345;
    ts.n_live_tup = 100000;
    ts.n_dead_tup = 2000 + t;
    ts.last_autovacuum = s->collected_at;
    ts.heap_blks_read = ts.heap_blks_hit = ts.idx_blks_read = ts.idx_blks_hit = 424242;
    ts.estimated_size_bytes = 8192LL * (t + 1);
    s->tables.push_back(ts);
  }
  for (int i = 0; i < 10000; ++i) {
    model::IndexStats is;
    is.datname = "app";
    is.schemaname = fmt::format("schema_{}", (i / 2) % 10);
    is.relname = fmt::format("table_with_a_realistic_name_{}", i / 2);
    is.indexrelname = fmt::format("table_with_a_realistic_name_{}_column_idx_{}", i / 2, i % 2);
    is.idx_scan = i;
    is.idx_tup_read = is.idx_tup_fetch = 10 * i;
    is.idx_blks_read = is.idx_blks_hit = 99;
    is.estimated_size_bytes = 8192LL * (i + 1);
    s->indexes.push_back(is);
  }
  for (int q = 0; q < 5000; ++q) {
    model::StatementStats st;
    st.queryid = -4000000000000000000LL + (q * 7919LL);
    st.datname = fmt::format("db_{:02}", q % 20);
    st.rolname = fmt::format("role_{}", q % 7);
    st.calls = 1000 + q;
    st.rows = 5000 + q;
    st.total_exec_time = 1234.5678 * (q + 1);
    st.shared_blk_read_time = 12.5;
    s->statements.push_back(st);
  }
  for (int i = 0; i < 60; ++i) {
    s->settings.push_back(
        {fmt::format("setting_{}", i), "4096", i % 2 ? "kB" : "ms", "integer", "default", false});
  }
  auto state = std::make_shared<model::TargetState>();
  state->name = "bench";
  state->region = "eu-west-1";
  state->labels = {{"env", "production"}, {"team", "payments"}};
  state->reachability = model::Reachability::kUp;
  state->current = s;
  state->last_success = s->collected_at;
  auto report = std::make_shared<model::HealthReport>();
  for (int f = 0; f < 200; ++f) {
    model::Finding finding;
    finding.id = f % 2 ? "table.vacuum_overdue" : "index.unused";
    finding.severity = f % 3 ? model::Severity::kWarning : model::Severity::kInfo;
    report->findings.push_back(finding);
  }
  state->report = report;
  for (const char* tier : {"fast", "standard", "slow"}) {
    model::TierState t;
    t.tier = tier;
    t.last_success = s->collected_at;
    state->tiers.push_back(t);
  }
  return state;
}

void BM_RenderMetrics(benchmark::State& bench) {
  const std::vector<std::shared_ptr<const model::TargetState>> targets = {LargeTarget()};
  http::ExpositionOptions options;
  if (bench.range(0) == 1) options.max_statements = http::kNoLimit;
  const http::SelfMetrics self;
  std::string out;
  std::size_t bytes = 0;
  for (auto _ : bench) {
    out.clear();
    http::RenderMetrics(targets, self, options, out);
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  bench.counters["bytes"] = static_cast<double>(bytes);
  std::size_t lines = 0;
  for (const char c : out) lines += c == '\n' ? 1 : 0;
  bench.counters["lines"] = static_cast<double>(lines);
}
BENCHMARK(BM_RenderMetrics)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
