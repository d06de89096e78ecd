// SPDX-License-Identifier: Apache-2.0
#include "http/prometheus_exposition.h"
#include "model/health_report.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

namespace pgvigil::http {
namespace {

using model::Snapshot;

// Labels pgvigil sets itself, and those Prometheus gives a meaning to. A configured target label
// with one of these names is prefixed so that it cannot shadow them.
constexpr std::string_view kReservedLabels[] = {"application_name",
                                                "client_addr",
                                                "collector",
                                                "database",
                                                "datid",
                                                "datname",
                                                "id",
                                                "indexrelname",
                                                "instance",
                                                "job",
                                                "kind",
                                                "le",
                                                "mode",
                                                "pid",
                                                "quantile",
                                                "queryid",
                                                "region",
                                                "relname",
                                                "schemaname",
                                                "setting",
                                                "severity",
                                                "short_version",
                                                "slot_name",
                                                "slot_type",
                                                "state",
                                                "status",
                                                "sync_state",
                                                "target",
                                                "tier",
                                                "user",
                                                "version",
                                                "wal_status"};

double Seconds(common::Timestamp t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// A number as ExpositionWriter::Close takes it: integers stay exact.
struct Number {
  bool present = false;
  bool is_int = false;
  std::int64_t i = 0;
  double d = 0;
};
Number Int(std::int64_t v) { return {true, true, v, 0}; }
Number Dbl(double v) { return {true, false, 0, v}; }
Number Int(const std::optional<std::int64_t>& v) { return v ? Int(*v) : Number{}; }
Number Dbl(const std::optional<double>& v) { return v ? Dbl(*v) : Number{}; }

void Close(ExpositionWriter& w, const Number& n) {
  if (n.is_int) {
    w.Close(n.i);
  } else {
    w.Close(n.d);
  }
}

// One family read from one column of a row type: the declarative tables below.
template <typename Row>
struct Column {
  std::string_view name;
  MetricType type;
  std::string_view help;
  std::int64_t Row::*i = nullptr;
  std::optional<std::int64_t> Row::*oi = nullptr;
  double Row::*d = nullptr;
  std::optional<double> Row::*od = nullptr;
  // A timestamp as Unix seconds; 0 when NULL ("never"), as postgres_exporter reports it.
  std::optional<common::Timestamp> Row::*ts = nullptr;
  bool Row::*b = nullptr;
  double scale = 1;  // applied to d/od (milliseconds → seconds)

  Number Read(const Row& row) const {
    if (i != nullptr) return Int(row.*i);
    if (oi != nullptr) return Int(row.*oi);
    if (d != nullptr) return Dbl(row.*d * scale);
    if (od != nullptr) return (row.*od) ? Dbl(*(row.*od) * scale) : Number{};
    if (ts != nullptr) return Dbl((row.*ts) ? Seconds(*(row.*ts)) : 0.0);
    if (b != nullptr) return Int(row.*b ? 1 : 0);
    return {};
  }
};

constexpr MetricType kGauge = MetricType::kGauge;
constexpr MetricType kCounter = MetricType::kCounter;
// postgres_exporter names most cumulative counters without `_total` (pg_stat_database_*,
// pg_stat_user_tables_*) and a gauge `_count`; typed as counters or gauges, those names fail
// Prometheus' naming lint. They keep the exporter's names, so its dashboards and alerts work
// unchanged, and are typed `untyped`, which the format allows and PromQL does not mind.
constexpr MetricType kUntyped = MetricType::kUntyped;

using model::DatabaseStats;
using model::IndexStats;
using model::TableStats;

const Column<DatabaseStats> kDatabaseColumns[] = {
    {"pg_stat_database_numbackends", kGauge, "Backends connected to this database.",
     &DatabaseStats::numbackends},
    {"pg_stat_database_xact_commit", kUntyped, "Transactions committed (cumulative).",
     &DatabaseStats::xact_commit},
    {"pg_stat_database_xact_rollback", kUntyped, "Transactions rolled back (cumulative).",
     &DatabaseStats::xact_rollback},
    {"pg_stat_database_blks_read", kUntyped, "Disk blocks read (cumulative).",
     &DatabaseStats::blks_read},
    {"pg_stat_database_blks_hit", kUntyped, "Disk blocks found in the buffer cache (cumulative).",
     &DatabaseStats::blks_hit},
    {"pg_stat_database_tup_returned", kUntyped, "Rows returned by queries (cumulative).",
     &DatabaseStats::tup_returned},
    {"pg_stat_database_tup_fetched", kUntyped, "Rows fetched by queries (cumulative).",
     &DatabaseStats::tup_fetched},
    {"pg_stat_database_tup_inserted", kUntyped, "Rows inserted (cumulative).",
     &DatabaseStats::tup_inserted},
    {"pg_stat_database_tup_updated", kUntyped, "Rows updated (cumulative).",
     &DatabaseStats::tup_updated},
    {"pg_stat_database_tup_deleted", kUntyped, "Rows deleted (cumulative).",
     &DatabaseStats::tup_deleted},
    {"pg_stat_database_conflicts", kUntyped,
     "Queries canceled by conflicts with recovery (cumulative).", &DatabaseStats::conflicts},
    {"pg_stat_database_temp_files", kUntyped, "Temporary files created (cumulative).",
     &DatabaseStats::temp_files},
    {"pg_stat_database_temp_bytes", kUntyped, "Bytes written to temporary files (cumulative).",
     &DatabaseStats::temp_bytes},
    {"pg_stat_database_deadlocks", kUntyped, "Deadlocks detected (cumulative).",
     &DatabaseStats::deadlocks},
    {"pg_stat_database_blk_read_time", kUntyped,
     "Time spent reading data file blocks, in milliseconds (cumulative).", nullptr, nullptr,
     &DatabaseStats::blk_read_time},
    {"pg_stat_database_blk_write_time", kUntyped,
     "Time spent writing data file blocks, in milliseconds (cumulative).", nullptr, nullptr,
     &DatabaseStats::blk_write_time},
    {"pg_stat_database_stats_reset", kGauge,
     "When these statistics were last reset, Unix time; 0 when never.", nullptr, nullptr, nullptr,
     nullptr, &DatabaseStats::stats_reset},
    {"pg_stat_database_active_time_seconds_total", kCounter,
     "Time spent executing statements (PostgreSQL 14+).", nullptr, nullptr, nullptr,
     &DatabaseStats::active_time, nullptr, nullptr, 1e-3},
    {"pgvigil_database_idle_in_transaction_time_seconds_total", kCounter,
     "Time spent idle in transaction (PostgreSQL 14+).", nullptr, nullptr, nullptr,
     &DatabaseStats::idle_in_transaction_time, nullptr, nullptr, 1e-3},
    {"pgvigil_database_session_time_seconds_total", kCounter,
     "Time spent by sessions (PostgreSQL 14+).", nullptr, nullptr, nullptr,
     &DatabaseStats::session_time, nullptr, nullptr, 1e-3},
    {"pgvigil_database_sessions_total", kCounter, "Sessions established (PostgreSQL 14+).", nullptr,
     &DatabaseStats::sessions},
    {"pgvigil_database_sessions_abandoned_total", kCounter,
     "Sessions ended by the client going away (PostgreSQL 14+).", nullptr,
     &DatabaseStats::sessions_abandoned},
    {"pgvigil_database_sessions_fatal_total", kCounter,
     "Sessions ended by fatal errors (PostgreSQL 14+).", nullptr, &DatabaseStats::sessions_fatal},
    {"pgvigil_database_sessions_killed_total", kCounter,
     "Sessions ended by operator intervention (PostgreSQL 14+).", nullptr,
     &DatabaseStats::sessions_killed},
    {"pgvigil_database_checksum_failures_total", kCounter,
     "Data page checksum failures; absent when data checksums are off.", nullptr,
     &DatabaseStats::checksum_failures},
};

const Column<DatabaseStats> kConflictColumns[] = {
    {"pg_stat_database_conflicts_confl_tablespace", kUntyped,
     "Queries canceled by dropped tablespaces (cumulative, standbys).",
     &DatabaseStats::confl_tablespace},
    {"pg_stat_database_conflicts_confl_lock", kUntyped,
     "Queries canceled by lock timeouts (cumulative, standbys).", &DatabaseStats::confl_lock},
    {"pg_stat_database_conflicts_confl_snapshot", kUntyped,
     "Queries canceled by old snapshots (cumulative, standbys).", &DatabaseStats::confl_snapshot},
    {"pg_stat_database_conflicts_confl_bufferpin", kUntyped,
     "Queries canceled by pinned buffers (cumulative, standbys).", &DatabaseStats::confl_bufferpin},
    {"pg_stat_database_conflicts_confl_deadlock", kUntyped,
     "Queries canceled by deadlocks (cumulative, standbys).", &DatabaseStats::confl_deadlock},
};

const Column<TableStats> kTableColumns[] = {
    {"pg_stat_user_tables_seq_scan", kUntyped, "Sequential scans started (cumulative).",
     &TableStats::seq_scan},
    {"pg_stat_user_tables_seq_tup_read", kUntyped,
     "Live rows fetched by sequential scans (cumulative).", &TableStats::seq_tup_read},
    {"pg_stat_user_tables_idx_scan", kUntyped,
     "Index scans started (cumulative); absent for a table without index.", nullptr,
     &TableStats::idx_scan},
    {"pg_stat_user_tables_idx_tup_fetch", kUntyped,
     "Live rows fetched by index scans (cumulative).", nullptr, &TableStats::idx_tup_fetch},
    {"pg_stat_user_tables_n_tup_ins", kUntyped, "Rows inserted (cumulative).",
     &TableStats::n_tup_ins},
    {"pg_stat_user_tables_n_tup_upd", kUntyped, "Rows updated (cumulative).",
     &TableStats::n_tup_upd},
    {"pg_stat_user_tables_n_tup_del", kUntyped, "Rows deleted (cumulative).",
     &TableStats::n_tup_del},
    {"pg_stat_user_tables_n_tup_hot_upd", kUntyped, "Rows HOT updated (cumulative).",
     &TableStats::n_tup_hot_upd},
    {"pg_stat_user_tables_n_live_tup", kGauge, "Estimated live rows.", &TableStats::n_live_tup},
    {"pg_stat_user_tables_n_dead_tup", kGauge, "Estimated dead rows.", &TableStats::n_dead_tup},
    {"pg_stat_user_tables_n_mod_since_analyze", kGauge,
     "Estimated rows modified since the last analyze.", &TableStats::n_mod_since_analyze},
    {"pg_stat_user_tables_last_vacuum", kGauge, "Last manual vacuum, Unix time; 0 when never.",
     nullptr, nullptr, nullptr, nullptr, &TableStats::last_vacuum},
    {"pg_stat_user_tables_last_autovacuum", kGauge, "Last autovacuum, Unix time; 0 when never.",
     nullptr, nullptr, nullptr, nullptr, &TableStats::last_autovacuum},
    {"pg_stat_user_tables_last_analyze", kGauge, "Last manual analyze, Unix time; 0 when never.",
     nullptr, nullptr, nullptr, nullptr, &TableStats::last_analyze},
    {"pg_stat_user_tables_last_autoanalyze", kGauge, "Last autoanalyze, Unix time; 0 when never.",
     nullptr, nullptr, nullptr, nullptr, &TableStats::last_autoanalyze},
    {"pg_stat_user_tables_vacuum_count", kUntyped, "Manual vacuums (cumulative).",
     &TableStats::vacuum_count},
    {"pg_stat_user_tables_autovacuum_count", kUntyped, "Autovacuums (cumulative).",
     &TableStats::autovacuum_count},
    {"pg_stat_user_tables_analyze_count", kUntyped, "Manual analyzes (cumulative).",
     &TableStats::analyze_count},
    {"pg_stat_user_tables_autoanalyze_count", kUntyped, "Autoanalyzes (cumulative).",
     &TableStats::autoanalyze_count},
    {"pg_statio_user_tables_heap_blocks_read", kUntyped, "Heap blocks read (cumulative).", nullptr,
     &TableStats::heap_blks_read},
    {"pg_statio_user_tables_heap_blocks_hit", kUntyped,
     "Heap blocks found in the buffer cache (cumulative).", nullptr, &TableStats::heap_blks_hit},
    {"pg_statio_user_tables_idx_blocks_read", kUntyped,
     "Blocks read from the table's indexes (cumulative).", nullptr, &TableStats::idx_blks_read},
    {"pg_statio_user_tables_idx_blocks_hit", kUntyped,
     "Index blocks of the table found in the buffer cache (cumulative).", nullptr,
     &TableStats::idx_blks_hit},
    {"pg_statio_user_tables_toast_blocks_read", kUntyped,
     "TOAST blocks read (cumulative); absent without a TOAST table.", nullptr,
     &TableStats::toast_blks_read},
    {"pg_statio_user_tables_toast_blocks_hit", kUntyped,
     "TOAST blocks found in the buffer cache (cumulative).", nullptr, &TableStats::toast_blks_hit},
    {"pgvigil_table_n_ins_since_vacuum", kGauge, "Rows inserted since the last vacuum.",
     &TableStats::n_ins_since_vacuum},
    {"pgvigil_table_size_estimate_bytes", kGauge,
     "Heap size from pg_class.relpages (as of the last VACUUM/ANALYZE).",
     &TableStats::estimated_size_bytes},
    {"pgvigil_table_relfrozenxid_age", kGauge,
     "Transaction ids since the table was last frozen: age(relfrozenxid).",
     &TableStats::relfrozenxid_age},
    {"pgvigil_table_relminmxid_age", kGauge, "Multixact ids since mxid_age(relminmxid).",
     &TableStats::relminmxid_age},
};

const Column<IndexStats> kIndexColumns[] = {
    {"pg_stat_user_indexes_idx_scan", kUntyped, "Index scans started (cumulative).",
     &IndexStats::idx_scan},
    {"pg_stat_user_indexes_idx_tup_read", kUntyped, "Index entries returned by scans (cumulative).",
     &IndexStats::idx_tup_read},
    {"pg_stat_user_indexes_idx_tup_fetch", kUntyped,
     "Live table rows fetched by simple index scans (cumulative).", &IndexStats::idx_tup_fetch},
    {"pg_statio_user_indexes_idx_blks_read_total", kCounter, "Index blocks read.", nullptr,
     &IndexStats::idx_blks_read},
    {"pg_statio_user_indexes_idx_blks_hit_total", kCounter,
     "Index blocks found in the buffer cache.", nullptr, &IndexStats::idx_blks_hit},
    {"pgvigil_index_size_estimate_bytes", kGauge,
     "Index size from pg_class.relpages (as of the last VACUUM/ANALYZE).",
     &IndexStats::estimated_size_bytes},
    {"pgvigil_index_valid", kGauge, "1 when the index is valid (pg_index.indisvalid).", nullptr,
     nullptr, nullptr, nullptr, nullptr, &IndexStats::indisvalid},
};

using model::CheckpointerStats;
const Column<CheckpointerStats> kCheckpointerColumns[] = {
    {"pg_stat_bgwriter_checkpoints_timed_total", kCounter,
     "Scheduled checkpoints (pg_stat_checkpointer.num_timed from PostgreSQL 17).",
     &CheckpointerStats::checkpoints_timed},
    {"pg_stat_bgwriter_checkpoints_req_total", kCounter,
     "Requested checkpoints (pg_stat_checkpointer.num_requested from PostgreSQL 17).",
     &CheckpointerStats::checkpoints_req},
    {"pg_stat_bgwriter_checkpoint_write_time_total", kCounter,
     "Time writing checkpoint files, in milliseconds.", nullptr, nullptr,
     &CheckpointerStats::checkpoint_write_time},
    {"pg_stat_bgwriter_checkpoint_sync_time_total", kCounter,
     "Time synchronizing checkpoint files, in milliseconds.", nullptr, nullptr,
     &CheckpointerStats::checkpoint_sync_time},
    {"pg_stat_bgwriter_buffers_checkpoint_total", kCounter, "Buffers written during checkpoints.",
     &CheckpointerStats::buffers_checkpoint},
    {"pg_stat_bgwriter_buffers_clean_total", kCounter, "Buffers written by the background writer.",
     &CheckpointerStats::buffers_clean},
    {"pg_stat_bgwriter_maxwritten_clean_total", kCounter,
     "Background writer cleaning scans stopped for writing too many buffers.",
     &CheckpointerStats::maxwritten_clean},
    {"pg_stat_bgwriter_buffers_backend_total", kCounter,
     "Buffers written by backends (up to PostgreSQL 16).", nullptr,
     &CheckpointerStats::buffers_backend},
    {"pg_stat_bgwriter_buffers_backend_fsync_total", kCounter,
     "Backend fsync calls (up to PostgreSQL 16).", nullptr,
     &CheckpointerStats::buffers_backend_fsync},
    {"pg_stat_bgwriter_buffers_alloc_total", kCounter, "Buffers allocated.",
     &CheckpointerStats::buffers_alloc},
    {"pgvigil_checkpointer_checkpoints_done_total", kCounter,
     "Checkpoints performed (PostgreSQL 18+; timed and requested count skipped ones too).", nullptr,
     &CheckpointerStats::checkpoints_done},
    {"pgvigil_checkpointer_restartpoints_timed_total", kCounter,
     "Scheduled restartpoints (PostgreSQL 17+).", nullptr, &CheckpointerStats::restartpoints_timed},
    {"pgvigil_checkpointer_restartpoints_req_total", kCounter,
     "Requested restartpoints (PostgreSQL 17+).", nullptr, &CheckpointerStats::restartpoints_req},
    {"pgvigil_checkpointer_restartpoints_done_total", kCounter,
     "Restartpoints performed (PostgreSQL 17+).", nullptr, &CheckpointerStats::restartpoints_done},
};

using model::WalStats;
const Column<WalStats> kWalColumns[] = {
    {"pgvigil_wal_position_bytes", kGauge,
     "Current WAL position (receive position on a standby), in bytes from 0/0.", nullptr,
     &WalStats::wal_lsn_bytes},
    {"pgvigil_wal_records_total", kCounter, "WAL records generated (PostgreSQL 14+).", nullptr,
     &WalStats::wal_records},
    {"pgvigil_wal_fpi_total", kCounter, "WAL full page images generated (PostgreSQL 14+).", nullptr,
     &WalStats::wal_fpi},
    {"pgvigil_wal_bytes_total", kCounter, "WAL bytes generated (PostgreSQL 14+).", nullptr,
     &WalStats::wal_bytes},
    {"pgvigil_wal_buffers_full_total", kCounter,
     "Times WAL was written because the WAL buffers were full (PostgreSQL 14+).", nullptr,
     &WalStats::wal_buffers_full},
};

using model::ReplicationConnection;
const Column<ReplicationConnection> kReplicationColumns[] = {
    {"pg_stat_replication_pg_wal_lsn_diff", kGauge,
     "Bytes of WAL the standby has yet to replay (current position - replay_lsn).", nullptr,
     &ReplicationConnection::replay_lag_bytes},
    {"pgvigil_replication_write_lag_seconds", kGauge, "pg_stat_replication.write_lag.", nullptr,
     nullptr, nullptr, &ReplicationConnection::write_lag_seconds},
    {"pgvigil_replication_flush_lag_seconds", kGauge, "pg_stat_replication.flush_lag.", nullptr,
     nullptr, nullptr, &ReplicationConnection::flush_lag_seconds},
    {"pgvigil_replication_replay_lag_seconds", kGauge, "pg_stat_replication.replay_lag.", nullptr,
     nullptr, nullptr, &ReplicationConnection::replay_lag_seconds},
};

using model::ReplicationSlot;
const Column<ReplicationSlot> kSlotColumns[] = {
    {"pg_replication_slot_slot_is_active", kGauge, "1 when the slot is in use.", nullptr, nullptr,
     nullptr, nullptr, nullptr, &ReplicationSlot::active},
    {"pg_replication_slot_safe_wal_size_bytes", kGauge,
     "WAL that can still be written before the slot is lost (needs max_slot_wal_keep_size).",
     nullptr, &ReplicationSlot::safe_wal_size_bytes},
    {"pgvigil_replication_slot_retained_wal_bytes", kGauge,
     "WAL kept for the slot: current position - restart_lsn.", nullptr,
     &ReplicationSlot::retained_wal_bytes},
    {"pgvigil_replication_slot_xmin_age", kGauge, "age(xmin) of the slot.", nullptr,
     &ReplicationSlot::xmin_age},
    {"pgvigil_replication_slot_catalog_xmin_age", kGauge, "age(catalog_xmin) of the slot.", nullptr,
     &ReplicationSlot::catalog_xmin_age},
};

using model::PgBouncerPool;
const Column<PgBouncerPool> kPoolColumns[] = {
    {"pgbouncer_pools_client_active_connections", kGauge, "Clients paired with a server.",
     &PgBouncerPool::cl_active},
    {"pgbouncer_pools_client_waiting_connections", kGauge, "Clients waiting for a server.",
     &PgBouncerPool::cl_waiting},
    {"pgbouncer_pools_server_active_connections", kGauge, "Servers paired with a client.",
     &PgBouncerPool::sv_active},
    {"pgbouncer_pools_server_idle_connections", kGauge, "Idle servers ready for a client.",
     &PgBouncerPool::sv_idle},
    {"pgbouncer_pools_server_used_connections", kGauge, "Servers idle longer than check delay.",
     &PgBouncerPool::sv_used},
    {"pgbouncer_pools_server_testing_connections", kGauge, "Servers being tested or reset.",
     &PgBouncerPool::sv_tested},
    {"pgbouncer_pools_server_login_connections", kGauge, "Servers logging in.",
     &PgBouncerPool::sv_login},
    {"pgbouncer_pools_client_maxwait_seconds", kGauge, "Wait of the oldest waiting client.",
     nullptr, nullptr, &PgBouncerPool::maxwait_seconds},
};

using model::PgBouncerStats;
const Column<PgBouncerStats> kPoolStatsColumns[] = {
    {"pgbouncer_stats_sql_transactions_pooled_total", kCounter, "Transactions pooled.",
     &PgBouncerStats::total_xact_count},
    {"pgbouncer_stats_queries_pooled_total", kCounter, "Queries pooled.",
     &PgBouncerStats::total_query_count},
    {"pgbouncer_stats_received_bytes_total", kCounter, "Bytes received from clients.",
     &PgBouncerStats::total_received},
    {"pgbouncer_stats_sent_bytes_total", kCounter, "Bytes sent to clients.",
     &PgBouncerStats::total_sent},
};

// PgBouncer keeps its times in microseconds as integers; these are converted to seconds.
struct PoolTime {
  std::string_view name;
  std::string_view help;
  std::int64_t PgBouncerStats::*us;
};
constexpr PoolTime kPoolTimes[] = {
    {"pgbouncer_stats_server_in_transaction_duration_seconds_total",
     "Time servers spent in transactions.", &PgBouncerStats::total_xact_time},
    {"pgbouncer_stats_queries_duration_seconds_total", "Time servers spent in queries.",
     &PgBouncerStats::total_query_time},
    {"pgbouncer_stats_client_wait_seconds_total", "Time clients waited for a server.",
     &PgBouncerStats::total_wait_time},
};

// The states postgres_exporter always reports (0 when no backend is in them), so alerts on a
// state keep a series to compare with.
constexpr std::string_view kActivityStates[] = {"active",
                                                "idle",
                                                "idle in transaction",
                                                "idle in transaction (aborted)",
                                                "fastpath function call",
                                                "disabled"};

constexpr std::string_view kHealthStatuses[] = {"healthy", "degraded", "unhealthy"};

using model::HealthStatusName;
using model::SeverityName;

bool CollectorOk(const Snapshot& s, std::string_view collector) {
  const model::CollectorOutcome* o = s.FindOutcome(collector);
  return o != nullptr && o->status == model::CollectorStatus::kOk;
}

// Rows of a relation family, with their labels rendered once into the target's arena.
struct RelationRow {
  const void* stats;
  std::uint32_t begin;
  std::uint32_t size;
};

// pg_stat_statements entries summed per (datname, user, queryid): postgres_exporter's labels.
// Top-level and nested entries of one statement would otherwise be two series with one label set.
struct StatementRow {
  std::string_view datname;
  std::string_view user;
  std::int64_t queryid = 0;
  std::int64_t calls = 0;
  std::int64_t rows = 0;
  double total_exec_time = 0;  // ms
  double read_time = 0;        // ms
  double write_time = 0;       // ms

  auto Key() const { return std::tie(datname, user, queryid); }
};

struct ActivityRow {
  std::string_view datname;
  std::string_view state;
  std::int64_t count = 0;
  double max_tx_seconds = 0;
};

struct LockRow {
  std::string_view datname;
  std::string_view mode;
  std::int64_t waiting = 0;
  std::optional<double> max_wait_seconds = std::nullopt;
};

// Everything one target contributes, prepared once per render.
struct TargetView {
  const model::TargetState* state = nullptr;
  std::string labels;                  // target="…",region="…",<configured labels>
  const Snapshot* snapshot = nullptr;  // set only while the target is up
  std::string arena;                   // rendered labels of table and index rows
  std::vector<RelationRow> tables;
  std::vector<RelationRow> indexes;
  std::vector<StatementRow> statements;
  std::vector<ActivityRow> activity;
  std::vector<LockRow> locks;
  std::size_t omitted_tables = 0;
  std::size_t omitted_indexes = 0;
  std::size_t omitted_statements = 0;

  std::string_view RowLabels(const RelationRow& row) const {
    return std::string_view(arena).substr(row.begin, row.size);
  }
};

void AppendLabel(std::string& out, std::string_view name, std::string_view value) {
  if (!out.empty()) out += ',';
  out += name;
  out += "=\"";
  ExpositionWriter::AppendEscapedLabelValue(out, value);
  out += '"';
}

std::string RenderTargetLabels(const model::TargetState& state) {
  std::string out;
  AppendLabel(out, "target", state.name);
  AppendLabel(out, "region", state.region);
  std::set<std::string, std::less<>> seen;
  for (const auto& [name, value] : state.labels) {
    std::string sanitized = SanitizeLabelName(name);
    if (!seen.insert(sanitized).second) continue;  // two names that sanitise alike: first wins
    AppendLabel(out, sanitized, value);
  }
  return out;
}

// Orders rows by their labels, keeps the `limit` largest by `size` (ties by labels), and
// renders their labels into view.arena.
template <typename Row, typename KeyFn, typename LabelFn>
std::vector<RelationRow> PrepareRelations(const std::vector<Row>& rows, std::size_t limit,
                                          KeyFn key, std::int64_t Row::*size, LabelFn render,
                                          std::string& arena, std::size_t& omitted) {
  std::vector<const Row*> chosen;
  chosen.reserve(rows.size());
  for (const Row& r : rows) chosen.push_back(&r);
  const auto by_key = [&](const Row* a, const Row* b) { return key(*a) < key(*b); };
  if (chosen.size() > limit) {
    const auto by_size = [&](const Row* a, const Row* b) {
      if (a->*size != b->*size) return a->*size > b->*size;
      return key(*a) < key(*b);
    };
    std::nth_element(chosen.begin(), chosen.begin() + static_cast<std::ptrdiff_t>(limit),
                     chosen.end(), by_size);
    omitted = chosen.size() - limit;
    chosen.resize(limit);
  }
  std::sort(chosen.begin(), chosen.end(), by_key);
  std::vector<RelationRow> out;
  out.reserve(chosen.size());
  for (const Row* r : chosen) {
    const std::size_t begin = arena.size();
    render(arena, *r);
    out.push_back(
        {r, static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(arena.size() - begin)});
  }
  return out;
}

void AppendRelationLabel(std::string& arena, bool first, std::string_view name,
                         std::string_view value) {
  if (!first) arena += ',';
  arena += name;
  arena += "=\"";
  ExpositionWriter::AppendEscapedLabelValue(arena, value);
  arena += '"';
}

std::vector<StatementRow> PrepareStatements(const Snapshot& s, std::size_t limit,
                                            std::size_t& omitted) {
  std::vector<StatementRow> rows;
  if (limit == 0 || !CollectorOk(s, "stat_statements")) return rows;
  rows.reserve(s.statements.size());
  for (const model::StatementStats& st : s.statements) {
    rows.push_back({st.datname, st.rolname, st.queryid, st.calls, st.rows, st.total_exec_time,
                    st.shared_blk_read_time, st.shared_blk_write_time});
  }
  std::sort(rows.begin(), rows.end(),
            [](const StatementRow& a, const StatementRow& b) { return a.Key() < b.Key(); });
  // Merge entries with equal labels (toplevel true/false of one statement).
  std::size_t kept = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (kept > 0 && rows[kept - 1].Key() == rows[i].Key()) {
      StatementRow& into = rows[kept - 1];
      into.calls += rows[i].calls;
      into.rows += rows[i].rows;
      into.total_exec_time += rows[i].total_exec_time;
      into.read_time += rows[i].read_time;
      into.write_time += rows[i].write_time;
    } else {
      rows[kept++] = rows[i];
    }
  }
  rows.resize(kept);
  if (rows.size() > limit) {
    std::nth_element(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(limit), rows.end(),
                     [](const StatementRow& a, const StatementRow& b) {
                       if (a.total_exec_time != b.total_exec_time) {
                         return a.total_exec_time > b.total_exec_time;
                       }
                       return a.Key() < b.Key();
                     });
    omitted = rows.size() - limit;
    rows.resize(limit);
    std::sort(rows.begin(), rows.end(),
              [](const StatementRow& a, const StatementRow& b) { return a.Key() < b.Key(); });
  }
  return rows;
}

std::vector<ActivityRow> PrepareActivity(const Snapshot& s) {
  std::vector<ActivityRow> rows;
  if (!CollectorOk(s, "stat_activity")) return rows;
  std::vector<std::string_view> databases;
  for (const model::DatabaseStats& d : s.databases) databases.push_back(d.datname);
  for (const model::Backend& b : s.activity) {
    if (!b.datname.empty()) databases.push_back(b.datname);
  }
  std::sort(databases.begin(), databases.end());
  databases.erase(std::unique(databases.begin(), databases.end()), databases.end());
  for (const std::string_view datname : databases) {
    for (const std::string_view state : kActivityStates) rows.push_back({datname, state});
  }
  const auto find = [&](std::string_view datname, std::string_view state) -> ActivityRow& {
    for (ActivityRow& r : rows) {
      if (r.datname == datname && r.state == state) return r;
    }
    return rows.emplace_back(ActivityRow{datname, state});
  };
  for (const model::Backend& b : s.activity) {
    // pgvigil's own sessions are left out, as postgres_exporter leaves out its own backend.
    if (b.datname.empty() || b.state.empty() || b.application_name == "pgvigil") continue;
    ActivityRow& r = find(b.datname, b.state);
    ++r.count;
    r.max_tx_seconds = std::max(r.max_tx_seconds, b.xact_age_seconds.value_or(0));
  }
  std::sort(rows.begin(), rows.end(), [](const ActivityRow& a, const ActivityRow& b) {
    return std::tie(a.datname, a.state) < std::tie(b.datname, b.state);
  });
  return rows;
}

std::vector<LockRow> PrepareLocks(const Snapshot& s) {
  std::vector<LockRow> rows;
  for (const model::LockWait& l : s.lock_waits) {
    auto it = std::find_if(rows.begin(), rows.end(), [&](const LockRow& r) {
      return r.datname == l.datname && r.mode == l.mode;
    });
    if (it == rows.end()) it = rows.insert(rows.end(), LockRow{l.datname, l.mode});
    ++it->waiting;
    if (l.wait_seconds) {
      it->max_wait_seconds = std::max(it->max_wait_seconds.value_or(0), *l.wait_seconds);
    }
  }
  std::sort(rows.begin(), rows.end(), [](const LockRow& a, const LockRow& b) {
    return std::tie(a.datname, a.mode) < std::tie(b.datname, b.mode);
  });
  return rows;
}

TargetView PrepareTarget(const model::TargetState& state, const ExpositionOptions& options) {
  TargetView v;
  v.state = &state;
  v.labels = RenderTargetLabels(state);
  if (state.reachability != model::Reachability::kUp || state.current == nullptr) return v;
  const Snapshot& s = *state.current;
  v.snapshot = &s;
  v.arena.reserve(std::min(s.tables.size(), options.max_tables) * 64 +
                  std::min(s.indexes.size(), options.max_indexes) * 96);
  v.tables = PrepareRelations(
      s.tables.get(), options.max_tables,
      [](const TableStats& t) { return std::tie(t.datname, t.schemaname, t.relname); },
      &TableStats::estimated_size_bytes,
      [](std::string& arena, const TableStats& t) {
        AppendRelationLabel(arena, true, "datname", t.datname);
        AppendRelationLabel(arena, false, "schemaname", t.schemaname);
        AppendRelationLabel(arena, false, "relname", t.relname);
      },
      v.arena, v.omitted_tables);
  v.indexes = PrepareRelations(
      s.indexes.get(), options.max_indexes,
      [](const IndexStats& i) {
        return std::tie(i.datname, i.schemaname, i.relname, i.indexrelname);
      },
      &IndexStats::estimated_size_bytes,
      [](std::string& arena, const IndexStats& i) {
        AppendRelationLabel(arena, true, "datname", i.datname);
        AppendRelationLabel(arena, false, "schemaname", i.schemaname);
        AppendRelationLabel(arena, false, "relname", i.relname);
        AppendRelationLabel(arena, false, "indexrelname", i.indexrelname);
      },
      v.arena, v.omitted_indexes);
  v.statements = PrepareStatements(s, options.max_statements, v.omitted_statements);
  v.activity = PrepareActivity(s);
  v.locks = PrepareLocks(s);
  return v;
}

std::vector<TargetView> PrepareTargets(
    std::span<const std::shared_ptr<const model::TargetState>> targets,
    const ExpositionOptions& options) {
  std::vector<TargetView> views;
  views.reserve(targets.size());
  for (const auto& target : targets) {
    if (target != nullptr) views.push_back(PrepareTarget(*target, options));
  }
  return views;
}

// pg_settings_<name>: postgres_exporter's unit handling (times in seconds, sizes in bytes,
// booleans 1/0; enums and strings are not exported). -1 (disabled) stays -1.
struct SettingValue {
  std::string family;
  std::string help;
  double value = 0;
};

std::optional<SettingValue> ReadSetting(const model::Setting& setting) {
  double value = 0;
  if (setting.vartype == "bool") {
    value = setting.setting == "on" ? 1 : 0;
  } else if (setting.vartype == "integer" || setting.vartype == "real") {
    const char* begin = setting.setting.data();
    const char* end = begin + setting.setting.size();
    const auto [ptr, ec] = std::from_chars(begin, end, value);
    if (ec != std::errc() || ptr != end) return std::nullopt;
  } else {
    return std::nullopt;
  }
  struct Unit {
    std::string_view unit;
    std::string_view suffix;
    double factor;
  };
  static constexpr Unit kUnits[] = {
      {"ms", "_seconds", 1e-3},     {"s", "_seconds", 1},
      {"min", "_seconds", 60},      {"h", "_seconds", 3600},
      {"d", "_seconds", 86400},     {"B", "_bytes", 1},
      {"kB", "_bytes", 1024},       {"8kB", "_bytes", 8192},
      {"16kB", "_bytes", 16384},    {"32kB", "_bytes", 32768},
      {"MB", "_bytes", 1048576},    {"16MB", "_bytes", 16777216},
      {"32MB", "_bytes", 33554432}, {"64MB", "_bytes", 67108864},
      {"GB", "_bytes", 1073741824}, {"TB", "_bytes", 1099511627776.0},
  };
  std::string_view suffix;
  if (!setting.unit.empty()) {
    const auto* u = std::find_if(std::begin(kUnits), std::end(kUnits),
                                 [&](const Unit& x) { return x.unit == setting.unit; });
    if (u == std::end(kUnits)) return std::nullopt;
    suffix = u->suffix;
    if (value != -1) value *= u->factor;
  }
  SettingValue out;
  out.family = "pg_settings_";
  for (const char c : setting.name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    out.family += ok ? c : '_';
  }
  out.family += suffix;
  out.help = fmt::format("Server parameter {}{}{}.", setting.name,
                         setting.unit.empty() ? "" : ", converted from ", setting.unit);
  out.value = value;
  return out;
}

// Renders the exposition as a list of steps, so that it can be written in pieces: each step
// writes whole families, or one target's rows of a table or index family (the large ones: 13 MiB
// of the 13.5 MiB on the large benchmark database).
class Renderer {
 public:
  Renderer(const std::vector<TargetView>& views, const SelfMetrics& self);
  Renderer(const Renderer&) = delete;  // its steps point to it
  Renderer& operator=(const Renderer&) = delete;

  // Runs steps until `out` has grown by `min_bytes` or none is left. False when none was left to
  // run (nothing was appended).
  bool RenderSome(std::string& out, std::size_t min_bytes);

  // One series per target (or none where `value` gives nothing).
  template <typename Fn>
  void PerTarget(std::string_view name, MetricType type, std::string_view help, Fn value) {
    w_.BeginFamily(name, type, help);
    for (const TargetView& v : views_) {
      const Number n = value(v);
      if (!n.present) continue;
      w_.Open();
      w_.RawLabels(v.labels);
      Close(w_, n);
    }
  }

  // One series per target whose snapshot is live, from `part(snapshot)` when it is present.
  template <typename Row, typename PartFn>
  void SnapshotColumns(std::span<const Column<Row>> columns, PartFn part) {
    for (const Column<Row>& c : columns) {
      w_.BeginFamily(c.name, c.type, c.help);
      for (const TargetView& v : views_) {
        if (v.snapshot == nullptr) continue;
        const Row* row = part(*v.snapshot);
        if (row == nullptr) continue;
        const Number n = c.Read(*row);
        if (!n.present) continue;
        w_.Open();
        w_.RawLabels(v.labels);
        Close(w_, n);
      }
    }
  }

  // One series per row of a snapshot vector; `labels(writer, row)` adds the row's labels.
  template <typename Row, typename RowsFn, typename LabelFn>
  void RowColumns(std::span<const Column<Row>> columns, RowsFn rows, LabelFn labels) {
    for (const Column<Row>& c : columns) {
      w_.BeginFamily(c.name, c.type, c.help);
      for (const TargetView& v : views_) {
        if (v.snapshot == nullptr) continue;
        for (const Row& row : rows(*v.snapshot)) {
          const Number n = c.Read(row);
          if (!n.present) continue;
          w_.Open();
          w_.RawLabels(v.labels);
          labels(w_, row);
          Close(w_, n);
        }
      }
    }
  }

  // A step per column and target: the family begins with the first target's rows.
  template <typename Row>
  void PlanRelationColumns(std::span<const Column<Row>> columns,
                           std::vector<RelationRow> TargetView::*rows) {
    for (const Column<Row>& c : columns) {
      for (std::size_t i = 0; i < views_.size(); ++i) {
        Step([this, &c, rows, i] {
          if (i == 0) w_.BeginFamily(c.name, c.type, c.help);
          const TargetView& v = views_[i];
          for (const RelationRow& r : v.*rows) {
            const Number n = c.Read(*static_cast<const Row*>(r.stats));
            if (!n.present) continue;
            w_.Open();
            w_.RawLabels(v.labels);
            w_.RawLabels(v.RowLabels(r));
            Close(w_, n);
          }
        });
      }
    }
  }

 private:
  void Step(std::function<void()> step) { steps_.push_back(std::move(step)); }
  void Plan(const SelfMetrics& self);
  void RenderTargets();
  void RenderHealth();
  void RenderCollectors();
  void RenderTiers();
  void RenderServer();
  void RenderActivity();
  void RenderDatabases();
  void RenderReplication();
  void PlanStatements();
  void RenderOmittedRows();
  void RenderSettings();
  void RenderPgBouncer();
  void RenderSelf(const SelfMetrics& self);

  std::string no_output_yet_;  // the writer's output until the first RenderSome
  ExpositionWriter w_{no_output_yet_};
  const std::vector<TargetView>& views_;
  std::vector<std::function<void()>> steps_;
  std::size_t next_step_ = 0;
};

Renderer::Renderer(const std::vector<TargetView>& views, const SelfMetrics& self) : views_(views) {
  Plan(self);
}

bool Renderer::RenderSome(std::string& out, std::size_t min_bytes) {
  if (next_step_ == steps_.size()) return false;
  w_.SetOutput(out);
  const std::size_t start = out.size();
  while (next_step_ < steps_.size() && out.size() - start < std::max<std::size_t>(min_bytes, 1)) {
    steps_[next_step_++]();
  }
  // Steps that wrote nothing (families without samples) at the end: there was nothing left.
  return out.size() > start;
}

void Renderer::RenderTargets() {
  PerTarget("pg_up", kGauge, "1 when the last connection to the server succeeded.",
            [](const TargetView& v) { return Int(v.snapshot != nullptr ? 1 : 0); });
  PerTarget("pgvigil_target_up", kGauge,
            "1 when the target answers and its figures below are live; 0 when unreachable or "
            "not yet collected.",
            [](const TargetView& v) { return Int(v.snapshot != nullptr ? 1 : 0); });
  PerTarget("pgvigil_target_last_success_timestamp_seconds", kGauge,
            "When a collection of the target last succeeded, Unix time.", [](const TargetView& v) {
              return v.state->last_success ? Dbl(Seconds(*v.state->last_success)) : Number{};
            });
  PerTarget("pgvigil_target_unreachable_since_timestamp_seconds", kGauge,
            "Since when the target does not answer, Unix time; absent while it does.",
            [](const TargetView& v) {
              return v.state->reachability == model::Reachability::kUnreachable &&
                             v.state->unreachable_since
                         ? Dbl(Seconds(*v.state->unreachable_since))
                         : Number{};
            });
  PerTarget("pgvigil_snapshot_timestamp_seconds", kGauge,
            "When the latest snapshot's collection started, Unix time.", [](const TargetView& v) {
              return v.state->current ? Dbl(Seconds(v.state->current->collected_at)) : Number{};
            });
  PerTarget("pgvigil_target_connect_duration_seconds", kGauge,
            "Time to connect (TCP, TLS, authentication) in the latest collection.",
            [](const TargetView& v) {
              return v.snapshot ? Dbl(v.snapshot->server.connect_seconds) : Number{};
            });
  PerTarget("pgvigil_target_round_trip_seconds", kGauge,
            "One round trip with trivial server work in the latest collection.",
            [](const TargetView& v) {
              return v.snapshot ? Dbl(v.snapshot->server.round_trip_seconds) : Number{};
            });
}

void Renderer::RenderHealth() {
  PerTarget(
      "pgvigil_health_score", kGauge, "Health score, 0-100 (analysis/README.md).",
      [](const TargetView& v) { return v.state->report ? Int(v.state->report->score) : Number{}; });
  w_.BeginFamily("pgvigil_health_status", kGauge,
                 "1 for the target's current status (healthy, degraded, unhealthy), else 0.");
  for (const TargetView& v : views_) {
    if (!v.state->report) continue;
    const std::string_view current = HealthStatusName(v.state->report->status);
    for (const std::string_view status : kHealthStatuses) {
      w_.Open();
      w_.RawLabels(v.labels);
      w_.Label("status", status);
      w_.Close(std::int64_t{status == current ? 1 : 0});
    }
  }
  w_.BeginFamily("pgvigil_findings", kGauge,
                 "Current findings by check id and severity (docs: the check catalog).");
  std::vector<std::pair<std::string_view, model::Severity>> keys;
  for (const TargetView& v : views_) {
    if (!v.state->report) continue;
    keys.clear();
    for (const model::Finding& f : v.state->report->findings) keys.emplace_back(f.id, f.severity);
    std::sort(keys.begin(), keys.end());
    for (std::size_t i = 0; i < keys.size();) {
      std::size_t j = i;
      while (j < keys.size() && keys[j] == keys[i]) ++j;
      w_.Open();
      w_.RawLabels(v.labels);
      w_.Label("id", keys[i].first);
      w_.Label("severity", SeverityName(keys[i].second));
      w_.Close(static_cast<std::int64_t>(j - i));
      i = j;
    }
  }
}

void Renderer::RenderCollectors() {
  struct Family {
    std::string_view name;
    std::string_view help;
    Number (*value)(const model::CollectorOutcome&);
  };
  static constexpr Family kFamilies[] = {
      {"pgvigil_collector_success", "1 when the collector's latest run succeeded, else 0.",
       [](const model::CollectorOutcome& o) {
         return Int(o.status == model::CollectorStatus::kOk ? 1 : 0);
       }},
      {"pgvigil_collector_skipped",
       "1 when the collector was skipped (missing extension, standby, privilege), else 0.",
       [](const model::CollectorOutcome& o) {
         return Int(o.status == model::CollectorStatus::kSkipped ? 1 : 0);
       }},
      {"pgvigil_collector_duration_seconds", "The collector's share of its tier's round trip.",
       [](const model::CollectorOutcome& o) { return Dbl(o.duration_seconds); }},
      {"pgvigil_collector_rows", "Rows the collector read in its latest run.",
       [](const model::CollectorOutcome& o) { return Int(std::int64_t{o.rows}); }},
  };
  std::vector<const model::CollectorOutcome*> outcomes;
  for (const Family& f : kFamilies) {
    w_.BeginFamily(f.name, kGauge, f.help);
    for (const TargetView& v : views_) {
      if (v.snapshot == nullptr) continue;
      outcomes.clear();
      for (const model::CollectorOutcome& o : v.snapshot->outcomes) outcomes.push_back(&o);
      std::sort(outcomes.begin(), outcomes.end(),
                [](const auto* a, const auto* b) { return a->collector < b->collector; });
      for (std::size_t i = 0; i < outcomes.size(); ++i) {
        if (i > 0 && outcomes[i]->collector == outcomes[i - 1]->collector) continue;
        w_.Open();
        w_.RawLabels(v.labels);
        w_.Label("collector", outcomes[i]->collector);
        Close(w_, f.value(*outcomes[i]));
      }
    }
  }
}

void Renderer::RenderTiers() {
  struct Family {
    std::string_view name;
    MetricType type;
    std::string_view help;
    Number (*value)(const model::TierState&);
  };
  static constexpr Family kFamilies[] = {
      {"pgvigil_tier_interval_seconds", kGauge, "Configured collection interval of the tier.",
       [](const model::TierState& t) { return Dbl(t.interval_seconds); }},
      {"pgvigil_tier_last_attempt_timestamp_seconds", kGauge,
       "When the tier's collection was last attempted, Unix time.",
       [](const model::TierState& t) {
         return t.last_attempt ? Dbl(Seconds(*t.last_attempt)) : Number{};
       }},
      {"pgvigil_tier_last_success_timestamp_seconds", kGauge,
       "When the tier's collection last succeeded, Unix time.",
       [](const model::TierState& t) {
         return t.last_success ? Dbl(Seconds(*t.last_success)) : Number{};
       }},
      {"pgvigil_tier_duration_seconds", kGauge, "Wall time of the tier's latest collection.",
       [](const model::TierState& t) { return Dbl(t.last_duration_seconds); }},
      {"pgvigil_tier_collections_total", kCounter,
       "Collections of the tier attempted since the daemon started.",
       [](const model::TierState& t) {
         return Int(static_cast<std::int64_t>(t.collections_total));
       }},
      {"pgvigil_tier_failures_total", kCounter,
       "Collections of the tier that failed since the daemon started.",
       [](const model::TierState& t) { return Int(static_cast<std::int64_t>(t.failures_total)); }},
      {"pgvigil_tier_consecutive_failures", kGauge, "Failures of the tier since its last success.",
       [](const model::TierState& t) { return Int(std::int64_t{t.consecutive_failures}); }},
      {"pgvigil_tier_backoff", kGauge,
       "1 while the tier waits longer than its interval (after failures, or near "
       "max_connections).",
       [](const model::TierState& t) { return Int(t.backoff_until ? 1 : 0); }},
  };
  for (const Family& f : kFamilies) {
    w_.BeginFamily(f.name, f.type, f.help);
    for (const TargetView& v : views_) {
      for (const model::TierState& t : v.state->tiers) {
        const Number n = f.value(t);
        if (!n.present) continue;
        w_.Open();
        w_.RawLabels(v.labels);
        w_.Label("tier", t.tier);
        Close(w_, n);
      }
    }
  }
}

void Renderer::RenderServer() {
  w_.BeginFamily("pg_static", kGauge, "Version of the server, as labels; always 1.");
  for (const TargetView& v : views_) {
    if (v.snapshot == nullptr) continue;
    const int num = v.snapshot->server.server_version_num;
    char buffer[32];
    const auto end = fmt::format_to_n(buffer, sizeof buffer, "{}.{}.0", num / 10000, num % 100).out;
    w_.Open();
    w_.RawLabels(v.labels);
    w_.Label("short_version", std::string_view(buffer, static_cast<std::size_t>(end - buffer)));
    w_.Label("version", v.snapshot->server.server_version);
    w_.Close(std::int64_t{1});
  }
  PerTarget("pg_postmaster_start_time_seconds", kGauge, "When the server started, Unix time.",
            [](const TargetView& v) {
              if (v.snapshot == nullptr) return Number{};
              const common::Timestamp t = v.snapshot->server.postmaster_start_time;
              return t == common::Timestamp{} ? Number{} : Dbl(Seconds(t));
            });
  PerTarget("pg_replication_is_replica", kGauge, "1 when the server is a standby.",
            [](const TargetView& v) {
              return v.snapshot ? Int(v.snapshot->server.is_in_recovery ? 1 : 0) : Number{};
            });
  PerTarget("pg_replication_lag_seconds", kGauge,
            "Standby: now - last replayed transaction (grows on an idle primary too); 0 on a "
            "primary.",
            [](const TargetView& v) {
              if (v.snapshot == nullptr) return Number{};
              if (!v.snapshot->server.is_in_recovery) return Dbl(0.0);
              const auto& r = v.snapshot->wal_receiver;
              return r ? Dbl(r->replay_delay_seconds) : Number{};
            });
  PerTarget("pgvigil_wal_receiver_replay_lag_bytes", kGauge,
            "Standby: WAL received but not yet replayed.", [](const TargetView& v) {
              if (v.snapshot == nullptr || !v.snapshot->wal_receiver) return Number{};
              return Int(v.snapshot->wal_receiver->replay_lag_bytes);
            });
  PerTarget("pgvigil_wal_receiver_streaming", kGauge,
            "Standby: 1 when the WAL receiver streams, 0 otherwise.", [](const TargetView& v) {
              if (v.snapshot == nullptr || !v.snapshot->server.is_in_recovery) return Number{};
              const auto& r = v.snapshot->wal_receiver;
              return Int(r && r->status == "streaming" ? 1 : 0);
            });
  SnapshotColumns<CheckpointerStats>(kCheckpointerColumns, [](const Snapshot& s) {
    return s.checkpointer ? &*s.checkpointer : nullptr;
  });
  PerTarget("pg_stat_bgwriter_stats_reset_total", kCounter,
            "When the bgwriter statistics were last reset, Unix time.", [](const TargetView& v) {
              if (v.snapshot == nullptr || !v.snapshot->checkpointer) return Number{};
              const auto& reset = v.snapshot->checkpointer->bgwriter_stats_reset;
              return reset ? Dbl(Seconds(*reset)) : Number{};
            });
  SnapshotColumns<WalStats>(kWalColumns,
                            [](const Snapshot& s) { return s.wal ? &*s.wal : nullptr; });
  PerTarget("pg_stat_archiver_archived_count", kUntyped, "WAL files archived (cumulative).",
            [](const TargetView& v) {
              return v.snapshot && v.snapshot->archiver ? Int(v.snapshot->archiver->archived_count)
                                                        : Number{};
            });
  PerTarget("pg_stat_archiver_failed_count", kUntyped,
            "Failed attempts to archive WAL files (cumulative).", [](const TargetView& v) {
              return v.snapshot && v.snapshot->archiver ? Int(v.snapshot->archiver->failed_count)
                                                        : Number{};
            });
  PerTarget("pg_stat_archiver_last_archive_age", kGauge,
            "Seconds from the last archived WAL file to the collection; absent when never.",
            [](const TargetView& v) {
              if (v.snapshot == nullptr || !v.snapshot->archiver) return Number{};
              const auto& last = v.snapshot->archiver->last_archived_time;
              if (!last) return Number{};
              return Dbl(Seconds(v.snapshot->collected_at) - Seconds(*last));
            });
}

void Renderer::RenderActivity() {
  w_.BeginFamily("pg_stat_activity_count", kUntyped,
                 "Client backends per database and state (pgvigil's own left out).");
  for (const TargetView& v : views_) {
    for (const ActivityRow& r : v.activity) {
      w_.Open();
      w_.RawLabels(v.labels);
      w_.Label("datname", r.datname);
      w_.Label("state", r.state);
      w_.Close(r.count);
    }
  }
  w_.BeginFamily("pg_stat_activity_max_tx_duration", kGauge,
                 "Age of the oldest transaction per database and state, in seconds.");
  for (const TargetView& v : views_) {
    for (const ActivityRow& r : v.activity) {
      w_.Open();
      w_.RawLabels(v.labels);
      w_.Label("datname", r.datname);
      w_.Label("state", r.state);
      w_.Close(r.max_tx_seconds);
    }
  }
  w_.BeginFamily("pgvigil_locks_waiting", kGauge,
                 "Backends waiting for a heavyweight lock, by database and requested mode.");
  for (const TargetView& v : views_) {
    for (const LockRow& r : v.locks) {
      w_.Open();
      w_.RawLabels(v.labels);
      w_.Label("datname", r.datname);
      w_.Label("mode", r.mode);
      w_.Close(r.waiting);
    }
  }
  w_.BeginFamily("pgvigil_locks_wait_max_seconds", kGauge,
                 "Longest current wait for a heavyweight lock, by database and requested mode.");
  for (const TargetView& v : views_) {
    for (const LockRow& r : v.locks) {
      if (!r.max_wait_seconds) continue;
      w_.Open();
      w_.RawLabels(v.labels);
      w_.Label("datname", r.datname);
      w_.Label("mode", r.mode);
      w_.Close(*r.max_wait_seconds);
    }
  }
}

void Renderer::RenderDatabases() {
  const auto databases = [](const Snapshot& s) -> const std::vector<DatabaseStats>& {
    return s.databases;
  };
  RowColumns<DatabaseStats>(kDatabaseColumns, databases,
                            [](ExpositionWriter& w, const DatabaseStats& d) {
                              const fmt::format_int datid(d.datid);
                              w.Label("datid", std::string_view(datid.data(), datid.size()));
                              w.Label("datname", d.datname);
                            });
  RowColumns<DatabaseStats>(
      kConflictColumns, databases,
      [](ExpositionWriter& w, const DatabaseStats& d) { w.Label("datname", d.datname); });
  w_.BeginFamily("pg_database_size_bytes", kGauge, "Disk space used by the database.");
  for (const TargetView& v : views_) {
    if (v.snapshot == nullptr) continue;
    for (const model::DatabaseSize& d : v.snapshot->database_sizes) {
      w_.Open();
      w_.RawLabels(v.labels);
      w_.Label("datname", d.datname);
      w_.Close(d.size_bytes);
    }
  }
  // postgres_exporter's names, although these are transaction and multixact ids, not seconds.
  w_.BeginFamily("pg_database_wraparound_age_datfrozenxid_seconds", kGauge,
                 "age(datfrozenxid): transaction ids since the database was last frozen.");
  for (const TargetView& v : views_) {
    if (v.snapshot == nullptr) continue;
    for (const model::DatabaseAge& d : v.snapshot->database_ages) {
      w_.Open();
      w_.RawLabels(v.labels);
      w_.Label("datname", d.datname);
      w_.Close(d.datfrozenxid_age);
    }
  }
  w_.BeginFamily("pg_database_wraparound_age_datminmxid_seconds", kGauge,
                 "mxid_age(datminmxid): multixact ids since the database was last frozen.");
  for (const TargetView& v : views_) {
    if (v.snapshot == nullptr) continue;
    for (const model::DatabaseAge& d : v.snapshot->database_ages) {
      w_.Open();
      w_.RawLabels(v.labels);
      w_.Label("datname", d.datname);
      w_.Close(d.datminmxid_age);
    }
  }
}

void Renderer::RenderReplication() {
  const auto connections = [](const Snapshot& s) -> const std::vector<ReplicationConnection>& {
    return s.replication;
  };
  RowColumns<ReplicationConnection>(kReplicationColumns, connections,
                                    [](ExpositionWriter& w, const ReplicationConnection& r) {
                                      // pid keeps two walsenders from one host and application
                                      // apart.
                                      const fmt::format_int pid(r.pid);
                                      w.Label("application_name", r.application_name);
                                      w.Label("client_addr", r.client_addr);
                                      w.Label("state", r.state);
                                      w.Label("sync_state", r.sync_state);
                                      w.Label("pid", std::string_view(pid.data(), pid.size()));
                                    });
  const auto slots = [](const Snapshot& s) -> const std::vector<ReplicationSlot>& {
    return s.replication_slots;
  };
  RowColumns<ReplicationSlot>(kSlotColumns, slots,
                              [](ExpositionWriter& w, const ReplicationSlot& r) {
                                w.Label("slot_name", r.slot_name);
                                w.Label("slot_type", r.slot_type);
                              });
  w_.BeginFamily("pg_replication_slot_wal_status", kGauge,
                 "Availability of the WAL the slot claims, as the wal_status label; always 1.");
  for (const TargetView& v : views_) {
    if (v.snapshot == nullptr) continue;
    for (const ReplicationSlot& r : v.snapshot->replication_slots) {
      if (r.wal_status.empty()) continue;
      w_.Open();
      w_.RawLabels(v.labels);
      w_.Label("slot_name", r.slot_name);
      w_.Label("slot_type", r.slot_type);
      w_.Label("wal_status", r.wal_status);
      w_.Close(std::int64_t{1});
    }
  }
}

void Renderer::PlanStatements() {
  struct Family {
    std::string_view name;
    std::string_view help;
    Number (*value)(const StatementRow&);
  };
  static constexpr Family kFamilies[] = {
      {"pg_stat_statements_calls_total", "Times the statement was executed.",
       [](const StatementRow& r) { return Int(r.calls); }},
      {"pg_stat_statements_seconds_total", "Time spent executing the statement.",
       [](const StatementRow& r) { return Dbl(r.total_exec_time / 1000); }},
      {"pg_stat_statements_rows_total", "Rows retrieved or affected by the statement.",
       [](const StatementRow& r) { return Int(r.rows); }},
      {"pg_stat_statements_block_read_seconds_total",
       "Time the statement spent reading shared blocks (needs track_io_timing).",
       [](const StatementRow& r) { return Dbl(r.read_time / 1000); }},
      {"pg_stat_statements_block_write_seconds_total",
       "Time the statement spent writing shared blocks (needs track_io_timing).",
       [](const StatementRow& r) { return Dbl(r.write_time / 1000); }},
  };
  for (const Family& f : kFamilies) {
    Step([this, &f] {
      w_.BeginFamily(f.name, kCounter, f.help);
      for (const TargetView& v : views_) {
        for (const StatementRow& r : v.statements) {
          const fmt::format_int queryid(r.queryid);
          w_.Open();
          w_.RawLabels(v.labels);
          w_.Label("user", r.user);
          w_.Label("datname", r.datname);
          w_.Label("queryid", std::string_view(queryid.data(), queryid.size()));
          Close(w_, f.value(r));
        }
      }
    });
  }
  Step([this] { RenderOmittedRows(); });
}

void Renderer::RenderOmittedRows() {
  w_.BeginFamily("pgvigil_exposition_omitted_rows", kGauge,
                 "Rows of the snapshot left out of /metrics by a configured cap, by kind.");
  for (const TargetView& v : views_) {
    if (v.snapshot == nullptr) continue;
    const std::pair<std::string_view, std::size_t> kinds[] = {{"indexes", v.omitted_indexes},
                                                              {"statements", v.omitted_statements},
                                                              {"tables", v.omitted_tables}};
    for (const auto& [kind, count] : kinds) {
      w_.Open();
      w_.RawLabels(v.labels);
      w_.Label("kind", kind);
      w_.Close(static_cast<std::int64_t>(count));
    }
  }
}

void Renderer::RenderSettings() {
  // Families named after settings: gathered across targets first so each family stays whole.
  std::map<std::string, std::pair<std::string, std::vector<std::pair<const TargetView*, double>>>>
      families;
  for (const TargetView& v : views_) {
    if (v.snapshot == nullptr) continue;
    for (const model::Setting& setting : v.snapshot->settings) {
      std::optional<SettingValue> value = ReadSetting(setting);
      if (!value) continue;
      auto& family = families[value->family];
      if (family.first.empty()) family.first = std::move(value->help);
      // A name seen twice for one target (never in practice) would be a duplicate series.
      if (!family.second.empty() && family.second.back().first == &v) continue;
      family.second.emplace_back(&v, value->value);
    }
  }
  for (const auto& [name, family] : families) {
    w_.BeginFamily(name, kGauge, family.first);
    for (const auto& [view, value] : family.second) {
      w_.Open();
      w_.RawLabels(view->labels);
      w_.Close(value);
    }
  }
}

void Renderer::RenderPgBouncer() {
  const auto pools = [](const Snapshot& s) -> const std::vector<PgBouncerPool>& {
    return s.pgbouncer_pools;
  };
  RowColumns<PgBouncerPool>(kPoolColumns, pools, [](ExpositionWriter& w, const PgBouncerPool& p) {
    w.Label("database", p.database);
    w.Label("user", p.user);
  });
  const auto stats = [](const Snapshot& s) -> const std::vector<PgBouncerStats>& {
    return s.pgbouncer_stats;
  };
  const auto database = [](ExpositionWriter& w, const PgBouncerStats& p) {
    w.Label("database", p.database);
  };
  RowColumns<PgBouncerStats>(kPoolStatsColumns, stats, database);
  for (const PoolTime& t : kPoolTimes) {
    w_.BeginFamily(t.name, kCounter, t.help);
    for (const TargetView& v : views_) {
      if (v.snapshot == nullptr) continue;
      for (const PgBouncerStats& p : v.snapshot->pgbouncer_stats) {
        w_.Open();
        w_.RawLabels(v.labels);
        database(w_, p);
        w_.Close(static_cast<double>(p.*t.us) / 1e6);
      }
    }
  }
}

void Renderer::RenderSelf(const SelfMetrics& self) {
  const auto single = [&](std::string_view name, MetricType type, std::string_view help, Number n) {
    if (!n.present) return;
    w_.BeginFamily(name, type, help);
    w_.Open();
    Close(w_, n);
  };
  single("pgvigil_targets", kGauge, "Monitored targets.",
         Int(static_cast<std::int64_t>(views_.size())));
  single("pgvigil_process_start_time_seconds", kGauge, "When the daemon started, Unix time.",
         Dbl(self.process_start_time_seconds));
  single("pgvigil_store_size_bytes", kGauge, "Size of the history store on disk.",
         Int(self.store_size_bytes));
  single("pgvigil_scrapes_total", kCounter, "/metrics requests served before this one.",
         Int(static_cast<std::int64_t>(self.scrapes_total)));
  single("pgvigil_scrape_duration_seconds", kGauge, "Time the previous /metrics render took.",
         Dbl(self.last_scrape_duration_seconds));
  single("pgvigil_sse_clients", kGauge, "Clients connected to the event stream.",
         Int(self.sse_clients));
  const auto family = [&](std::string_view name, MetricType type, std::string_view help,
                          const std::vector<LabelledValue>& samples) {
    w_.BeginFamily(name, type, help);
    for (const LabelledValue& s : samples) {
      w_.Open();
      for (const auto& [label, value] : s.labels) w_.Label(label, value);
      w_.Close(s.value);
    }
  };
  family("pgvigil_http_requests_total", kCounter, "HTTP requests served, by labels.",
         self.http_requests_total);
  for (const ExtraFamily& f : self.extra) family(f.name, f.type, f.help, f.samples);
}

void Renderer::Plan(const SelfMetrics& self) {
  Step([this] {
    RenderTargets();
    RenderHealth();
    RenderCollectors();
    RenderTiers();
    RenderServer();
    RenderActivity();
    RenderDatabases();
  });
  PlanRelationColumns<TableStats>(kTableColumns, &TargetView::tables);
  PlanRelationColumns<IndexStats>(kIndexColumns, &TargetView::indexes);
  Step([this] { RenderReplication(); });
  PlanStatements();
  Step([this, &self] {
    RenderSettings();
    RenderPgBouncer();
    RenderSelf(self);
  });
}

}  // namespace

std::string SanitizeLabelName(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 6);
  for (const char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out += ok ? c : '_';
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out.insert(0, "_");
  const bool reserved = out.starts_with("__") ||
                        std::find(std::begin(kReservedLabels), std::end(kReservedLabels), out) !=
                            std::end(kReservedLabels);
  if (reserved) out.insert(0, "label_");
  return out;
}

void RenderMetrics(std::span<const std::shared_ptr<const model::TargetState>> targets,
                   const SelfMetrics& self, const ExpositionOptions& options, std::string& out) {
  ExpositionRender render({targets.begin(), targets.end()}, self, options);
  while (render.Next(out, kNoLimit)) {
  }
}

struct ExpositionRender::State {
  State(std::vector<std::shared_ptr<const model::TargetState>> t, SelfMetrics s,
        const ExpositionOptions& options)
      : targets(std::move(t)),
        self(std::move(s)),
        views(PrepareTargets(targets, options)),
        renderer(views, self) {}

  // The views and the renderer point into these: they live as long as the render.
  const std::vector<std::shared_ptr<const model::TargetState>> targets;
  const SelfMetrics self;
  const std::vector<TargetView> views;
  Renderer renderer;
};

ExpositionRender::ExpositionRender(std::vector<std::shared_ptr<const model::TargetState>> targets,
                                   SelfMetrics self, const ExpositionOptions& options)
    : targets_(std::move(targets)), self_(std::move(self)), options_(options) {}

ExpositionRender::~ExpositionRender() = default;

bool ExpositionRender::Next(std::string& out, std::size_t min_bytes) {
  if (state_ == nullptr) {
    state_ = std::make_unique<State>(std::move(targets_), std::move(self_), options_);
  }
  return state_->renderer.RenderSome(out, min_bytes);
}

}  // namespace pgvigil::http
