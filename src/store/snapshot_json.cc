// SPDX-License-Identifier: Apache-2.0
#include "store/snapshot_json.h"

#include <cstdio>
#include <ctime>

#include "store/json_types.h"

// The conversions must live in the model's namespace so that nlohmann finds them by ADL.
namespace pgvigil::model {

// A SharedVector is written and read as the JSON array of its vector.
template <typename T>
void to_json(nlohmann::json& j, const SharedVector<T>& v) {
  j = v.get();
}
template <typename T>
void from_json(const nlohmann::json& j, SharedVector<T>& v) {
  v = j.get<std::vector<T>>();
}

NLOHMANN_JSON_SERIALIZE_ENUM(CollectorStatus, {{CollectorStatus::kOk, "ok"},
                                               {CollectorStatus::kError, "error"},
                                               {CollectorStatus::kSkipped, "skipped"}})

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ExtensionInfo, name, version, schema)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ServerInfo, server_version_num, server_version,
                                                is_in_recovery, current_database, current_user,
                                                is_superuser, has_pg_monitor, has_read_all_stats,
                                                block_size, postmaster_start_time, extensions,
                                                connect_seconds, round_trip_seconds)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CollectorOutcome, collector, tier, status,
                                                error_code, message, sqlstate, duration_seconds,
                                                rows)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Backend, pid, leader_pid, datname, usename,
                                                application_name, client_addr, backend_type, state,
                                                wait_event_type, wait_event, backend_age_seconds,
                                                xact_age_seconds, query_age_seconds,
                                                state_age_seconds, backend_xid_age,
                                                backend_xmin_age, query_id, query)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LockWait, pid, blocking_pids, locktype, mode,
                                                relation, datname, wait_seconds,
                                                is_wait_start_exact)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ReplicationConnection, pid, usename,
                                                application_name, client_addr, state, sync_state,
                                                sent_lag_bytes, write_lag_bytes, flush_lag_bytes,
                                                replay_lag_bytes, write_lag_seconds,
                                                flush_lag_seconds, replay_lag_seconds)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(WalReceiver, status, sender_host, sender_port,
                                                slot_name, receive_lsn_bytes, replay_lsn_bytes,
                                                replay_lag_bytes, replay_delay_seconds,
                                                last_msg_receipt_age_seconds)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ReplicationSlot, slot_name, plugin, slot_type,
                                                datname, temporary, active, active_pid, xmin_age,
                                                catalog_xmin_age, retained_wal_bytes, wal_status,
                                                safe_wal_size_bytes, conflicting, inactive_seconds,
                                                invalidation_reason)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(PgBouncerPool, database, user, cl_active,
                                                cl_waiting, sv_active, sv_idle, sv_used, sv_tested,
                                                sv_login, maxwait_seconds, pool_mode)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(PgBouncerStats, database, total_xact_count,
                                                total_query_count, total_received, total_sent,
                                                total_xact_time, total_query_time, total_wait_time)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    DatabaseStats, datid, datname, numbackends, xact_commit, xact_rollback, blks_read, blks_hit,
    tup_returned, tup_fetched, tup_inserted, tup_updated, tup_deleted, conflicts, temp_files,
    temp_bytes, deadlocks, checksum_failures, checksum_last_failure, blk_read_time, blk_write_time,
    session_time, active_time, idle_in_transaction_time, sessions, sessions_abandoned,
    sessions_fatal, sessions_killed, stats_reset, confl_tablespace, confl_lock, confl_snapshot,
    confl_bufferpin, confl_deadlock, confl_active_logicalslot)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    StatementStats, userid, dbid, queryid, rolname, datname, toplevel, calls, total_exec_time,
    min_exec_time, max_exec_time, mean_exec_time, stddev_exec_time, plans, total_plan_time, rows,
    shared_blks_hit, shared_blks_read, shared_blks_dirtied, shared_blks_written, local_blks_hit,
    local_blks_read, temp_blks_read, temp_blks_written, shared_blk_read_time, shared_blk_write_time,
    temp_blk_read_time, temp_blk_write_time, wal_records, wal_fpi, wal_bytes, jit_functions,
    jit_generation_time, stats_since, query)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(StatementsInfo, dealloc, stats_reset)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    CheckpointerStats, checkpoints_timed, checkpoints_req, checkpoints_done, checkpoint_write_time,
    checkpoint_sync_time, buffers_checkpoint, buffers_clean, maxwritten_clean, buffers_alloc,
    buffers_backend, buffers_backend_fsync, restartpoints_timed, restartpoints_req,
    restartpoints_done, checkpointer_stats_reset, bgwriter_stats_reset)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(WalStats, wal_lsn_bytes, wal_records, wal_fpi,
                                                wal_bytes, wal_buffers_full, wal_write, wal_sync,
                                                wal_write_time, wal_sync_time, stats_reset)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ArchiverStats, archived_count, last_archived_wal,
                                                last_archived_time, failed_count, last_failed_wal,
                                                last_failed_time, stats_reset)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DatabaseAge, datname, datfrozenxid_age,
                                                datminmxid_age, datallowconn)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(PreparedTransaction, gid, owner, datname,
                                                prepared_age_seconds, xid_age)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Setting, name, setting, unit, vartype, source,
                                                pending_restart)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    AutovacuumReloptions, autovacuum_enabled, autovacuum_vacuum_threshold,
    autovacuum_vacuum_scale_factor, autovacuum_vacuum_max_threshold,
    autovacuum_vacuum_insert_threshold, autovacuum_vacuum_insert_scale_factor,
    autovacuum_analyze_threshold, autovacuum_analyze_scale_factor, autovacuum_freeze_max_age,
    autovacuum_multixact_freeze_max_age)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    TableStats, datname, relid, schemaname, relname, relkind, seq_scan, seq_tup_read, idx_scan,
    idx_tup_fetch, n_tup_ins, n_tup_upd, n_tup_del, n_tup_hot_upd, n_tup_newpage_upd, n_live_tup,
    n_dead_tup, n_mod_since_analyze, n_ins_since_vacuum, last_seq_scan, last_idx_scan, last_vacuum,
    last_autovacuum, last_analyze, last_autoanalyze, vacuum_count, autovacuum_count, analyze_count,
    autoanalyze_count, total_vacuum_time, total_autovacuum_time, total_analyze_time,
    total_autoanalyze_time, heap_blks_read, heap_blks_hit, idx_blks_read, idx_blks_hit,
    toast_blks_read, toast_blks_hit, reltuples, relpages, relallvisible, estimated_size_bytes,
    relfrozenxid_age, relminmxid_age, is_unlogged, reloptions)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    IndexStats, datname, relid, indexrelid, schemaname, relname, indexrelname, idx_scan,
    idx_tup_read, idx_tup_fetch, last_idx_scan, idx_blks_read, idx_blks_hit, reltuples, relpages,
    estimated_size_bytes, access_method, indisunique, indisprimary, indisexclusion, indimmediate,
    indisvalid, indisready, indislive, indnkeyatts, key_columns, opclasses, collations, indoption,
    predicate, constraint_name, constraint_type)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SequenceStats, datname, schemaname, sequencename,
                                                data_type, min_value, max_value, increment_by,
                                                cycle, last_value, is_readable, owned_by,
                                                column_type)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DatabaseSize, datname, size_bytes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RelationSize, datname, relid, schemaname, relname,
                                                relkind, total_bytes, table_bytes, indexes_bytes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SkippedRelation, datname, relid, schemaname,
                                                relname, collector, reason)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(BloatInputs, datname, relid, indexrelid, schemaname,
                                                relname, indexrelname, reltuples, relpages,
                                                fillfactor, header_width, data_width, tuple_width,
                                                columns)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TierTimes, fast, standard, slow)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    Snapshot, target, collected_at, duration_seconds, tiers, tier_times, server, outcomes, activity,
    lock_waits, replication, wal_receiver, replication_slots, pgbouncer_pools, pgbouncer_stats,
    databases, statements, statements_info, checkpointer, wal, archiver, database_ages,
    prepared_transactions, settings, tables, indexes, sequences, database_sizes, largest_relations,
    skipped_relations, bloat_inputs)

}  // namespace pgvigil::model

namespace pgvigil::store {

common::Result<common::Timestamp> ParseTimestamp(std::string_view text) {
  const std::string s(text);
  std::tm tm{};
  int micros = 0;
  char fraction[8] = {0};
  const int n = std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%7[0-9]Z", &tm.tm_year, &tm.tm_mon,
                            &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, fraction);
  if (n < 6) return common::InvalidArgumentError("not an ISO-8601 timestamp: " + s);
  if (n == 7) {
    std::string digits(fraction);
    digits.resize(6, '0');
    micros = std::stoi(digits);
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::time_t secs = timegm(&tm);
  return common::Timestamp(std::chrono::seconds(secs) + std::chrono::microseconds(micros));
}

nlohmann::json SnapshotToJson(const model::Snapshot& snapshot) { return snapshot; }

nlohmann::json SnapshotPartsToJson(const model::Snapshot& s,
                                   std::initializer_list<std::string_view> parts) {
  nlohmann::json out = nlohmann::json::object();
  for (std::string_view part : parts) {
    const std::string key(part);
    if (part == "activity") out[key] = s.activity;
    else if (part == "lock_waits") out[key] = s.lock_waits;
    else if (part == "replication") out[key] = s.replication;
    else if (part == "wal_receiver") out[key] = s.wal_receiver;
    else if (part == "replication_slots") out[key] = s.replication_slots;
    else if (part == "pgbouncer_pools") out[key] = s.pgbouncer_pools;
    else if (part == "databases") out[key] = s.databases;
    else if (part == "statements") out[key] = s.statements;
    else if (part == "statements_info") out[key] = s.statements_info;
    else if (part == "archiver") out[key] = s.archiver;
    else if (part == "tables") out[key] = s.tables;
    else if (part == "indexes") out[key] = s.indexes;
    else if (part == "sequences") out[key] = s.sequences;
    else if (part == "database_sizes") out[key] = s.database_sizes;
    else if (part == "largest_relations") out[key] = s.largest_relations;
    else if (part == "skipped_relations") out[key] = s.skipped_relations;
  }
  return out;
}

common::Result<model::Snapshot> SnapshotFromJson(const nlohmann::json& json) {
  try {
    return json.get<model::Snapshot>();
  } catch (const nlohmann::json::exception& e) {
    return common::InvalidArgumentError(std::string("not a snapshot: ") + e.what());
  }
}

}  // namespace pgvigil::store

namespace pgvigil::store {
namespace {

// Writes the members of one JSON object in order, each converted on its own. Member order
// and names follow the Snapshot macro above; snapshot_json_test checks the two agree.
class StreamingObjectWriter {
 public:
  StreamingObjectWriter(std::ostream& out, int indent) : out_(out), indent_(indent) { out_ << "{"; }
  ~StreamingObjectWriter() {
    if (indent_ >= 0) out_ << "\n";
    out_ << "}";
  }

  template <typename T>
  void Member(std::string_view name, const T& value) {
    Key(name);
    Write(nlohmann::json(value), 2);
  }

  template <typename T>
  void List(std::string_view name, const model::SharedVector<T>& items) {
    List(name, items.get());
  }
  template <typename T>
  void List(std::string_view name, const std::vector<T>& items) {
    Key(name);
    if (items.empty()) {
      out_ << "[]";
      return;
    }
    out_ << "[";
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) out_ << ",";
      if (indent_ >= 0) out_ << "\n" << std::string(static_cast<size_t>(indent_) * 2, ' ');
      Write(nlohmann::json(items[i]), 4);
    }
    if (indent_ >= 0) out_ << "\n" << std::string(static_cast<size_t>(indent_), ' ');
    out_ << "]";
  }

 private:
  void Key(std::string_view name) {
    if (!first_) out_ << ",";
    first_ = false;
    if (indent_ >= 0) out_ << "\n" << std::string(static_cast<size_t>(indent_), ' ');
    out_ << nlohmann::json(name).dump() << (indent_ >= 0 ? ": " : ":");
  }
  // Dumps `value`, indenting its continuation lines for a nesting depth of `depth` levels.
  void Write(const nlohmann::json& value, int depth) {
    std::string text = value.dump(indent_);
    if (indent_ > 0) {
      const std::string pad(static_cast<size_t>(indent_ * (depth / 2)), ' ');
      for (size_t pos = text.find('\n'); pos != std::string::npos; pos = text.find('\n', pos + 1)) {
        text.insert(pos + 1, pad);
      }
    }
    out_ << text;
  }

  std::ostream& out_;
  int indent_;
  bool first_ = true;
};

}  // namespace

void WriteSnapshotJson(const model::Snapshot& s, std::ostream& out, int indent) {
  // nlohmann sorts object keys; so does this list, to give the same document.
  StreamingObjectWriter w(out, indent);
  w.List("activity", s.activity);
  w.Member("archiver", s.archiver);
  w.List("bloat_inputs", s.bloat_inputs);
  w.Member("checkpointer", s.checkpointer);
  w.Member("collected_at", s.collected_at);
  w.List("database_ages", s.database_ages);
  w.List("database_sizes", s.database_sizes);
  w.List("databases", s.databases);
  w.Member("duration_seconds", s.duration_seconds);
  w.List("indexes", s.indexes);
  w.List("largest_relations", s.largest_relations);
  w.List("lock_waits", s.lock_waits);
  w.List("outcomes", s.outcomes);
  w.List("pgbouncer_pools", s.pgbouncer_pools);
  w.List("pgbouncer_stats", s.pgbouncer_stats);
  w.List("prepared_transactions", s.prepared_transactions);
  w.List("replication", s.replication);
  w.List("replication_slots", s.replication_slots);
  w.List("sequences", s.sequences);
  w.Member("server", s.server);
  w.List("settings", s.settings);
  w.List("skipped_relations", s.skipped_relations);
  w.List("statements", s.statements);
  w.Member("statements_info", s.statements_info);
  w.List("tables", s.tables);
  w.Member("target", s.target);
  w.Member("tier_times", s.tier_times);
  w.List("tiers", s.tiers);
  w.Member("wal", s.wal);
  w.Member("wal_receiver", s.wal_receiver);
}

}  // namespace pgvigil::store
