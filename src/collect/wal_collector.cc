// SPDX-License-Identifier: Apache-2.0
#include "collect/wal_collector.h"

#include <fmt/format.h>

#include "collect/row_reader.h"

namespace pgvigil::collect {

common::Status WalCollector::Parse(const CollectContext& /*context*/,
                                   std::span<const pg::QueryOutcome> results,
                                   model::Snapshot& snapshot, std::string& /*note*/) const {
  using OptI = std::optional<std::int64_t>;
  using OptD = std::optional<double>;
  RowReader r(results[0].rows, "wal");
  if (r.row_count() != 1) {
    return common::InternalError(fmt::format("wal: expected one row, got {}", r.row_count()));
  }
  model::WalStats w;
  w.wal_lsn_bytes = r.Get<OptI>("wal_lsn_bytes");
  w.wal_records = r.Get<OptI>("wal_records");
  w.wal_fpi = r.Get<OptI>("wal_fpi");
  w.wal_bytes = r.Get<OptI>("wal_bytes");
  w.wal_buffers_full = r.Get<OptI>("wal_buffers_full");
  w.wal_write = r.Get<OptI>("wal_write");
  w.wal_sync = r.Get<OptI>("wal_sync");
  w.wal_write_time = r.Get<OptD>("wal_write_time");
  w.wal_sync_time = r.Get<OptD>("wal_sync_time");
  w.stats_reset = r.Get<std::optional<common::Timestamp>>("stats_reset");
  PGV_RETURN_IF_ERROR(r.status());
  snapshot.wal = w;
  return common::Status::Ok();
}

}  // namespace pgvigil::collect
