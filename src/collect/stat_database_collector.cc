// SPDX-License-Identifier: Apache-2.0
#include "collect/stat_database_collector.h"

#include "collect/row_reader.h"

namespace pgvigil::collect {

common::Status StatDatabaseCollector::Parse(const CollectContext& /*context*/,
                                            std::span<const pg::QueryOutcome> results,
                                            model::Snapshot& snapshot, std::string& /*note*/) const {
  using I = std::int64_t;
  using OptI = std::optional<std::int64_t>;
  using OptD = std::optional<double>;
  using OptT = std::optional<common::Timestamp>;
  RowReader r(results[0].rows, "stat_database");
  for (int i = 0; i < r.row_count(); ++i) {
    r.Seek(i);
    model::DatabaseStats d;
    d.datid = r.Get<std::uint32_t>("datid");
    d.datname = r.Get<std::string>("datname");
    d.numbackends = r.Get<I>("numbackends");
    d.xact_commit = r.Get<I>("xact_commit");
    d.xact_rollback = r.Get<I>("xact_rollback");
    d.blks_read = r.Get<I>("blks_read");
    d.blks_hit = r.Get<I>("blks_hit");
    d.tup_returned = r.Get<I>("tup_returned");
    d.tup_fetched = r.Get<I>("tup_fetched");
    d.tup_inserted = r.Get<I>("tup_inserted");
    d.tup_updated = r.Get<I>("tup_updated");
    d.tup_deleted = r.Get<I>("tup_deleted");
    d.conflicts = r.Get<I>("conflicts");
    d.temp_files = r.Get<I>("temp_files");
    d.temp_bytes = r.Get<I>("temp_bytes");
    d.deadlocks = r.Get<I>("deadlocks");
    d.checksum_failures = r.Get<OptI>("checksum_failures");
    d.checksum_last_failure = r.Get<OptT>("checksum_last_failure");
    d.blk_read_time = r.Get<double>("blk_read_time");
    d.blk_write_time = r.Get<double>("blk_write_time");
    d.session_time = r.Get<OptD>("session_time");
    d.active_time = r.Get<OptD>("active_time");
    d.idle_in_transaction_time = r.Get<OptD>("idle_in_transaction_time");
    d.sessions = r.Get<OptI>("sessions");
    d.sessions_abandoned = r.Get<OptI>("sessions_abandoned");
    d.sessions_fatal = r.Get<OptI>("sessions_fatal");
    d.sessions_killed = r.Get<OptI>("sessions_killed");
    d.stats_reset = r.Get<OptT>("stats_reset");
    d.confl_tablespace = r.Get<I>("confl_tablespace");
    d.confl_lock = r.Get<I>("confl_lock");
    d.confl_snapshot = r.Get<I>("confl_snapshot");
    d.confl_bufferpin = r.Get<I>("confl_bufferpin");
    d.confl_deadlock = r.Get<I>("confl_deadlock");
    d.confl_active_logicalslot = r.Get<OptI>("confl_active_logicalslot");
    snapshot.databases.push_back(std::move(d));
  }
  return r.status();
}

}  // namespace pgvigil::collect
