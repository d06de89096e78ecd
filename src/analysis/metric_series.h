// SPDX-License-Identifier: Apache-2.0
// The time series pgvigil keeps for dashboards, derived from one snapshot and the one before
// it: gauges read as they are (connections by state, sizes, replication lag, dead tuples,
// longest transaction, lock waits) and rates of cumulative counters over the interval (TPS,
// QPS, mean statement time, cache hit ratio, temp bytes, deadlocks). A part is used only when
// its collector succeeded; a rate only when both samples hold the part and no counter went
// backwards (a statistics reset or a restart skips that rate for that sample). Every point
// carries current.target and current.collected_at. Pure, thread-safe.
//
// Metric names (labels in braces), as docs/store.md lists them:
//   pgvigil_connections{state}                       client backends by state
//   pgvigil_activity_longest_transaction_seconds     oldest open transaction (client backends)
//   pgvigil_locks_waiting                            backends waiting for a lock
//   pgvigil_database_xact_per_second{datname}        (xact_commit + xact_rollback) / s
//   pgvigil_database_cache_hit_ratio{datname}        blks_hit / (blks_hit + blks_read), interval
//   pgvigil_database_temp_bytes_per_second{datname}
//   pgvigil_database_deadlocks_per_second{datname}
//   pgvigil_database_size_bytes{datname}
//   pgvigil_statements_calls_per_second              pg_stat_statements calls / s (QPS)
//   pgvigil_statements_mean_exec_time_seconds        Σ exec time / Σ calls in the interval
//   pgvigil_tables_dead_tuples{datname}              Σ n_dead_tup
//   pgvigil_replication_lag_seconds{application_name}     replay lag per standby (primary)
//   pgvigil_replication_lag_bytes{application_name}
//   pgvigil_replication_slot_retained_wal_bytes{slot_name}
//   pgvigil_wal_receiver_replay_delay_seconds / _replay_lag_bytes   on a standby
#pragma once

#include <vector>

#include "model/metric_point.h"
#include "model/snapshot.h"

namespace pgvigil::analysis {

std::vector<model::MetricPoint> DeriveMetricPoints(const model::Snapshot& current,
                                                   const model::Snapshot* previous);

}  // namespace pgvigil::analysis
