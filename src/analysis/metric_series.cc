// SPDX-License-Identifier: Apache-2.0
#include "analysis/metric_series.h"

#include <algorithm>
#include <map>

#include "analysis/database_deltas.h"
#include "analysis/snapshot_helpers.h"
#include "analysis/statement_deltas.h"

namespace pgvigil::analysis {
namespace {

class Points {
 public:
  explicit Points(const model::Snapshot& s) : s_(s) {}
  void Add(std::string metric, model::MetricLabels labels, double value) {
    out_.push_back({s_.target, std::move(metric), std::move(labels), s_.collected_at, value});
  }
  std::vector<model::MetricPoint> Take() { return std::move(out_); }

 private:
  const model::Snapshot& s_;
  std::vector<model::MetricPoint> out_;
};

// pgvigil's own sessions are left out of what it reports about the server's clients.
bool IsClient(const model::Backend& b) {
  return b.backend_type == "client backend" && b.application_name != "pgvigil";
}

void Activity(const model::Snapshot& s, Points& out) {
  if (!Collected(s, "stat_activity")) return;
  std::map<std::string, int> by_state;
  double longest = 0;
  for (const model::Backend& b : s.activity) {
    if (!IsClient(b)) continue;
    ++by_state[b.state.empty() ? std::string("unknown") : b.state];
    if (b.xact_age_seconds) longest = std::max(longest, *b.xact_age_seconds);
  }
  for (const auto& [state, n] : by_state) out.Add("pgvigil_connections", {{"state", state}}, n);
  out.Add("pgvigil_activity_longest_transaction_seconds", {}, longest);
}

void Databases(const model::Snapshot& current, const model::Snapshot* previous, Points& out) {
  const DatabaseDeltas d = MatchDatabases(current, previous);
  if (!d.comparable || d.interval_seconds <= 0) return;
  for (const DatabasePair& p : d.pairs) {
    const model::MetricLabels labels = {{"datname", p.now->datname}};
    const auto commit = p.Delta(&model::DatabaseStats::xact_commit);
    const auto rollback = p.Delta(&model::DatabaseStats::xact_rollback);
    if (commit && rollback) {
      out.Add("pgvigil_database_xact_per_second", labels,
              (*commit + *rollback) / d.interval_seconds);
    }
    const auto hit = p.Delta(&model::DatabaseStats::blks_hit);
    const auto read = p.Delta(&model::DatabaseStats::blks_read);
    if (hit && read && *hit + *read > 0) {
      out.Add("pgvigil_database_cache_hit_ratio", labels, *hit / (*hit + *read));
    }
    if (const auto temp = p.Delta(&model::DatabaseStats::temp_bytes)) {
      out.Add("pgvigil_database_temp_bytes_per_second", labels, *temp / d.interval_seconds);
    }
    if (const auto deadlocks = p.Delta(&model::DatabaseStats::deadlocks)) {
      out.Add("pgvigil_database_deadlocks_per_second", labels, *deadlocks / d.interval_seconds);
    }
  }
}

void Statements(const model::Snapshot& current, const model::Snapshot* previous, Points& out) {
  if (previous == nullptr) return;
  const StatementDeltas d = ComputeStatementDeltas(current, *previous);
  // After a reset, or with entries whose counters could not be subtracted, the sum over the
  // interval would be partial: skip this sample rather than draw a dip.
  if (!d.comparable || d.interval_seconds <= 0 || d.stats_reset_in_interval ||
      d.not_comparable > 0) {
    return;
  }
  double calls = 0;
  double time_ms = 0;
  for (const StatementDelta& s : d.deltas) {
    calls += s.calls;
    time_ms += s.total_exec_time;
  }
  out.Add("pgvigil_statements_calls_per_second", {}, calls / d.interval_seconds);
  if (calls > 0) out.Add("pgvigil_statements_mean_exec_time_seconds", {}, time_ms / calls / 1000);
}

void Storage(const model::Snapshot& s, Points& out) {
  if (Collected(s, "storage")) {
    for (const model::DatabaseSize& d : s.database_sizes) {
      out.Add("pgvigil_database_size_bytes", {{"datname", d.datname}},
              static_cast<double>(d.size_bytes));
    }
  }
  if (Collected(s, "stat_user_tables")) {
    std::map<std::string, double> dead;
    for (const model::TableStats& t : s.tables)
      dead[t.datname] += static_cast<double>(t.n_dead_tup);
    for (const auto& [datname, n] : dead) {
      out.Add("pgvigil_tables_dead_tuples", {{"datname", datname}}, n);
    }
  }
}

void Replication(const model::Snapshot& s, Points& out) {
  if (!Collected(s, "replication")) return;
  for (const model::ReplicationConnection& r : s.replication) {
    const model::MetricLabels labels = {{"application_name", r.application_name}};
    if (r.replay_lag_seconds)
      out.Add("pgvigil_replication_lag_seconds", labels, *r.replay_lag_seconds);
    if (r.replay_lag_bytes) {
      out.Add("pgvigil_replication_lag_bytes", labels, static_cast<double>(*r.replay_lag_bytes));
    }
  }
  for (const model::ReplicationSlot& slot : s.replication_slots) {
    if (slot.retained_wal_bytes) {
      out.Add("pgvigil_replication_slot_retained_wal_bytes", {{"slot_name", slot.slot_name}},
              static_cast<double>(*slot.retained_wal_bytes));
    }
  }
  if (s.wal_receiver) {
    if (s.wal_receiver->replay_delay_seconds) {
      out.Add("pgvigil_wal_receiver_replay_delay_seconds", {},
              *s.wal_receiver->replay_delay_seconds);
    }
    if (s.wal_receiver->replay_lag_bytes) {
      out.Add("pgvigil_wal_receiver_replay_lag_bytes", {},
              static_cast<double>(*s.wal_receiver->replay_lag_bytes));
    }
  }
}

}  // namespace

std::vector<model::MetricPoint> DeriveMetricPoints(const model::Snapshot& current,
                                                   const model::Snapshot* previous) {
  Points out(current);
  Activity(current, out);
  if (Collected(current, "locks")) {
    out.Add("pgvigil_locks_waiting", {}, static_cast<double>(current.lock_waits.size()));
  }
  Databases(current, previous, out);
  Statements(current, previous, out);
  Storage(current, out);
  Replication(current, out);
  return out.Take();
}

}  // namespace pgvigil::analysis
