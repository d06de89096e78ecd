// SPDX-License-Identifier: Apache-2.0
// Every threshold and check parameter, with its default, in one table. Defaults follow common
// practice in the field (check_postgres, PgHero, pgwatch, the PostgreSQL documentation);
// the reason is in the help text. Units: ratio 0–1, seconds, bytes, counts, transactions.
#include "analysis/thresholds.h"

namespace pgvigil::analysis {
namespace {

using D = Direction;
constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kGiB = 1024.0 * kMiB;

constexpr ThresholdDefault kDefaults[] = {
    // target
    {"target.latency", D::kHigherIsWorse, {0.050, 0.250}, "seconds",
     "round trip of a trivial query; slow answers hide every other figure"},
    // connections
    {"connection.utilization", D::kHigherIsWorse, {0.70, 0.90}, "ratio",
     "backends / (max_connections - reserved): at 100 % new clients are refused"},
    {"connection.idle_in_transaction", D::kHigherIsWorse, {300, 1800}, "seconds",
     "an open transaction holds locks and the xmin horizon (vacuum cannot clean behind it)"},
    {"connection.by_application", D::kHigherIsWorse, {0.50, 0.80}, "ratio",
     "one application's share of the usable connections, mostly idle: a pool leak"},
    {"connection.by_application.min_connections", D::kHigherIsWorse, {10, {}}, "count",
     "judge an application's share only from this many connections on"},
    {"connection.by_application.min_idle_share", D::kHigherIsWorse, {0.5, {}}, "ratio",
     "report an application only when at least this share of its connections is idle (or idle "
     "in transaction): busy connections are load, not a leak"},
    // queries
    {"query.long_running", D::kHigherIsWorse, {300, 1800}, "seconds",
     "an active statement older than this (PgHero: 5 minutes)"},
    {"query.slow_statement", D::kHigherIsWorse, {0.5, 5.0}, "seconds",
     "mean execution time of a statement over the last interval"},
    {"query.slow_statement.min_calls", D::kHigherIsWorse, {5, {}}, "count",
     "judge a statement's mean only from this many calls in the interval"},
    {"query.regression", D::kHigherIsWorse, {2.0, 5.0}, "ratio",
     "a statement's mean over the interval divided by its mean in history"},
    {"query.regression.min_calls", D::kHigherIsWorse, {20, {}}, "count",
     "judge a regression only from this many calls in the interval"},
    {"query.regression.min_history_calls", D::kHigherIsWorse, {100, {}}, "count",
     "judge a regression only against a history mean of this many calls: the baseline must be "
     "steadier than the interval it judges"},
    {"query.regression.min_mean_seconds", D::kHigherIsWorse, {0.01, {}}, "seconds",
     "ignore statements faster than this over the interval: sub-10 ms means swing by multiples "
     "with cache state and load without anyone noticing"},
    {"query.error_rate", D::kHigherIsWorse, {0.05, 0.20}, "ratio",
     "rollbacks / (commits + rollbacks) over the interval"},
    {"query.error_rate.min_transactions", D::kHigherIsWorse, {100, {}}, "count",
     "judge the error rate only from this many transactions in the interval"},
    {"query.advice.top_statements", D::kHigherIsWorse, {10, {}}, "count",
     "advise on this many statements with the most total execution time (and on any "
     "query.slow_statement flags)"},
    {"query.advice.min_rows_per_call", D::kHigherIsWorse, {10000, {}}, "count",
     "advise against an unbounded read of a whole table only from this many rows per call"},
    // locks
    {"locks.blocking", D::kHigherIsWorse, {5, 60}, "seconds",
     "how long a backend has waited for a lock held by another"},
    {"locks.deadlocks", D::kHigherIsWorse, {1, 10}, "count", "new deadlocks in the interval"},
    // cache, checkpoints, temp files
    {"cache.hit_ratio", D::kLowerIsWorse, {0.95, 0.90}, "ratio",
     "shared buffer hits / (hits + reads) over the interval"},
    {"cache.hit_ratio.min_blocks", D::kHigherIsWorse, {10000, {}}, "count",
     "judge the hit ratio only from this many block requests in the interval"},
    {"checkpoint.too_frequent", D::kHigherIsWorse, {0.5, 0.9}, "ratio",
     "requested / all checkpoints over the interval: max_wal_size is too small"},
    {"checkpoint.too_frequent.min_checkpoints", D::kHigherIsWorse, {2, {}}, "count",
     "judge only from this many checkpoints in the interval"},
    {"tempfiles.spill", D::kHigherIsWorse, {1 * kMiB, 10 * kMiB}, "bytes_per_second",
     "temporary file bytes written per second over the interval: work_mem too small"},
    // storage
    {"storage.size_limit", D::kHigherIsWorse, {0.80, 0.90}, "ratio",
     "database size / the configured plan limit"},
    {"storage.size_limit.days_to_full", D::kLowerIsWorse, {30, 7}, "days",
     "days until the limit at the growth rate of the history"},
    {"storage.size_limit.limit_bytes", D::kHigherIsWorse, {0, {}}, "bytes",
     "the plan's storage limit for the whole server (managed plans limit the instance, so the "
     "sum of all databases is judged); 0 = not configured, no finding. Set it per target"},
    {"storage.size_limit.min_history_seconds", D::kHigherIsWorse, {86400, {}}, "seconds",
     "extrapolate days-to-full only from history spanning this long: a shorter span measures a "
     "bulk load or a vacuum, not the growth (one day covers the daily batch cycle)"},
    // tables and vacuum
    {"table.vacuum_overdue", D::kHigherIsWorse, {2.0, 10.0}, "ratio",
     "dead tuples / the autovacuum trigger (threshold + scale_factor × reltuples)"},
    {"table.vacuum_overdue.min_dead_tuples", D::kHigherIsWorse, {1000, {}}, "count",
     "ignore tables with fewer dead tuples"},
    {"table.analyze_overdue", D::kHigherIsWorse, {2.0, 10.0}, "ratio",
     "rows modified since analyze / the autoanalyze trigger"},
    {"table.analyze_overdue.min_modified", D::kHigherIsWorse, {1000, {}}, "count",
     "ignore tables with fewer modified rows"},
    {"table.bloat", D::kHigherIsWorse, {0.30, 0.50}, "ratio",
     "estimated wasted share of a table's pages"},
    {"table.bloat.min_bytes", D::kHigherIsWorse, {10 * kMiB, {}}, "bytes",
     "ignore tables whose estimated waste is smaller"},
    {"table.seq_scan_heavy", D::kHigherIsWorse, {0.50, {}}, "ratio",
     "sequential / all scans of a large table over the interval (or since reset); reported "
     "as info from this share: a sequential scan is often the right plan"},
    {"table.seq_scan_heavy.min_rows", D::kHigherIsWorse, {100000, {}}, "count",
     "a table smaller than this is cheap to scan"},
    {"table.seq_scan_heavy.min_scans", D::kHigherIsWorse, {10, {}}, "count",
     "judge the share of sequential scans only from this many scans (sequential + index)"},
    // indexes
    {"index.unused", D::kHigherIsWorse, {100 * kMiB, {}}, "bytes",
     "size of an index never scanned for min_days: a warning from this size (it costs every "
     "write, vacuum and cache), info below"},
    {"index.unused.min_bytes", D::kHigherIsWorse, {1 * kMiB, {}}, "bytes",
     "report never-scanned indexes from this size on"},
    {"index.unused.min_days", D::kHigherIsWorse, {7, {}}, "days",
     "with history: unused for at least this long"},
    {"index.duplicate", D::kHigherIsWorse, {0, {}}, "bytes",
     "size of an index with the same definition as another on its table: pure waste, a warning "
     "at any size"},
    {"index.redundant", D::kHigherIsWorse, {1 * kGiB, {}}, "bytes",
     "size of an index whose keys lead another's: info (the shorter one can be the faster "
     "plan), a warning from this size"},
    {"index.invalid", D::kHigherIsWorse, {0, {}}, "bytes",
     "size of an index left invalid by a failed CONCURRENTLY build: a warning at any size"},
    {"index.bloat", D::kHigherIsWorse, {0.30, 0.50}, "ratio",
     "estimated wasted share of a btree index's pages"},
    {"index.bloat.min_bytes", D::kHigherIsWorse, {10 * kMiB, {}}, "bytes",
     "ignore indexes whose estimated waste is smaller"},
    // wraparound
    {"wraparound.xid_age", D::kHigherIsWorse, {1.0e9, 1.5e9}, "transactions",
     "age(datfrozenxid); PostgreSQL stops accepting writes at 2^31 - 3 million"},
    {"wraparound.multixact_age", D::kHigherIsWorse, {1.0e9, 1.5e9}, "transactions",
     "mxid_age(datminmxid); the same limit applies to multixact ids"},
    {"wraparound.xmin_horizon", D::kHigherIsWorse, {1.0e8, 5.0e8}, "transactions",
     "age of the oldest xmin held by a backend, prepared transaction or slot"},
    // replication
    {"replication.lag", D::kHigherIsWorse, {100 * kMiB, 1 * kGiB}, "bytes",
     "replay lag of a standby in WAL bytes"},
    {"replication.lag.seconds", D::kHigherIsWorse, {30, 300}, "seconds",
     "replay lag of a standby in time"},
    {"replication.slot_retained_wal", D::kHigherIsWorse, {1 * kGiB, 10 * kGiB}, "bytes",
     "WAL kept on disk for a replication slot"},
    {"replication.slot_inactive", D::kHigherIsWorse, {0, 1 * kGiB}, "bytes",
     "an inactive slot retaining this much WAL (warning from any amount)"},
    // archiving and backups
    {"archiver.failing", D::kHigherIsWorse, {1, 1}, "count",
     "archive_command failures in the interval. Critical while the last failure is newer than "
     "the last success (WAL piles up in pg_wal); a warning when it has archived since"},
    {"backup.stale", D::kHigherIsWorse, {3600, 86400}, "seconds",
     "time since the last WAL segment was archived, with archive_mode on"},
    // sequences
    {"sequence.exhaustion", D::kHigherIsWorse, {0.75, 0.90}, "ratio",
     "share of a sequence's range used (capped by the type of the column it feeds)"},
    // pooler
    {"pooler.clients_waiting", D::kHigherIsWorse, {1, 10}, "count",
     "clients waiting for a server connection in one PgBouncer pool"},
    {"pooler.max_wait", D::kHigherIsWorse, {1, 5}, "seconds",
     "how long the oldest client of a pool has waited"},
};

}  // namespace

std::span<const ThresholdDefault> DefaultThresholds() { return kDefaults; }

}  // namespace pgvigil::analysis
