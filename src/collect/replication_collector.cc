// SPDX-License-Identifier: Apache-2.0
#include "collect/replication_collector.h"

#include <fmt/format.h>

#include "collect/row_reader.h"

namespace pgvigil::collect {
namespace {

using OptI = std::optional<std::int64_t>;
using OptD = std::optional<double>;

common::Status ReadSenders(const pg::ResultSet& rows, model::Snapshot& snapshot) {
  RowReader r(rows, "stat_replication");
  for (int i = 0; i < r.row_count(); ++i) {
    r.Seek(i);
    model::ReplicationConnection c;
    c.pid = r.Get<int>("pid");
    c.usename = r.Get<std::string>("usename");
    c.application_name = r.Get<std::string>("application_name");
    c.client_addr = r.Get<std::string>("client_addr");
    c.state = r.Get<std::string>("state");
    c.sync_state = r.Get<std::string>("sync_state");
    c.sent_lag_bytes = r.Get<OptI>("sent_lag_bytes");
    c.write_lag_bytes = r.Get<OptI>("write_lag_bytes");
    c.flush_lag_bytes = r.Get<OptI>("flush_lag_bytes");
    c.replay_lag_bytes = r.Get<OptI>("replay_lag_bytes");
    c.write_lag_seconds = r.Get<OptD>("write_lag_seconds");
    c.flush_lag_seconds = r.Get<OptD>("flush_lag_seconds");
    c.replay_lag_seconds = r.Get<OptD>("replay_lag_seconds");
    snapshot.replication.push_back(std::move(c));
  }
  return r.status();
}

common::Status ReadReceiver(const pg::ResultSet& rows, model::Snapshot& snapshot) {
  RowReader r(rows, "stat_wal_receiver");
  if (r.row_count() == 0) return common::Status::Ok();  // a primary
  if (r.row_count() > 1) {
    return common::InternalError(
        fmt::format("stat_wal_receiver: expected at most one row, got {}", r.row_count()));
  }
  model::WalReceiver w;
  w.status = r.Get<std::string>("status");
  w.sender_host = r.Get<std::string>("sender_host");
  w.sender_port = r.Get<std::optional<int>>("sender_port");
  w.slot_name = r.Get<std::string>("slot_name");
  w.receive_lsn_bytes = r.Get<OptI>("receive_lsn_bytes");
  w.replay_lsn_bytes = r.Get<OptI>("replay_lsn_bytes");
  w.replay_lag_bytes = r.Get<OptI>("replay_lag_bytes");
  w.replay_delay_seconds = r.Get<OptD>("replay_delay_seconds");
  w.last_msg_receipt_age_seconds = r.Get<OptD>("last_msg_receipt_age_seconds");
  PGV_RETURN_IF_ERROR(r.status());
  snapshot.wal_receiver = std::move(w);
  return common::Status::Ok();
}

common::Status ReadSlots(const pg::ResultSet& rows, model::Snapshot& snapshot) {
  RowReader r(rows, "replication_slots");
  for (int i = 0; i < r.row_count(); ++i) {
    r.Seek(i);
    model::ReplicationSlot s;
    s.slot_name = r.Get<std::string>("slot_name");
    s.plugin = r.Get<std::string>("plugin");
    s.slot_type = r.Get<std::string>("slot_type");
    s.datname = r.Get<std::string>("datname");
    s.temporary = r.Get<bool>("temporary");
    s.active = r.Get<bool>("active");
    s.active_pid = r.Get<std::optional<int>>("active_pid");
    s.xmin_age = r.Get<OptI>("xmin_age");
    s.catalog_xmin_age = r.Get<OptI>("catalog_xmin_age");
    s.retained_wal_bytes = r.Get<OptI>("retained_wal_bytes");
    s.wal_status = r.Get<std::string>("wal_status");
    s.safe_wal_size_bytes = r.Get<OptI>("safe_wal_size_bytes");
    s.conflicting = r.Get<std::optional<bool>>("conflicting");
    s.inactive_seconds = r.Get<OptD>("inactive_seconds");
    s.invalidation_reason =
        r.Get<std::optional<std::string>>("invalidation_reason").value_or("");  // 17+
    snapshot.replication_slots.push_back(std::move(s));
  }
  return r.status();
}

}  // namespace

common::Status ReplicationCollector::Parse(const CollectContext& /*context*/,
                                           std::span<const pg::QueryOutcome> results,
                                           model::Snapshot& snapshot, std::string& /*note*/) const {
  PGV_RETURN_IF_ERROR(ReadSenders(results[0].rows, snapshot));
  PGV_RETURN_IF_ERROR(ReadReceiver(results[1].rows, snapshot));
  return ReadSlots(results[2].rows, snapshot);
}

}  // namespace pgvigil::collect
