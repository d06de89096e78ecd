// SPDX-License-Identifier: Apache-2.0
#include "collect/archiver_collector.h"

#include <fmt/format.h>

#include "collect/row_reader.h"

namespace pgvigil::collect {

common::Status ArchiverCollector::Parse(const CollectContext& /*context*/,
                                        std::span<const pg::QueryOutcome> results,
                                        model::Snapshot& snapshot, std::string& /*note*/) const {
  using OptT = std::optional<common::Timestamp>;
  RowReader r(results[0].rows, "stat_archiver");
  if (r.row_count() != 1) {
    return common::InternalError(
        fmt::format("stat_archiver: expected one row, got {}", r.row_count()));
  }
  model::ArchiverStats a;
  a.archived_count = r.Get<std::int64_t>("archived_count");
  a.last_archived_wal = r.Get<std::string>("last_archived_wal");
  a.last_archived_time = r.Get<OptT>("last_archived_time");
  a.failed_count = r.Get<std::int64_t>("failed_count");
  a.last_failed_wal = r.Get<std::string>("last_failed_wal");
  a.last_failed_time = r.Get<OptT>("last_failed_time");
  a.stats_reset = r.Get<OptT>("stats_reset");
  PGV_RETURN_IF_ERROR(r.status());
  snapshot.archiver = std::move(a);
  return common::Status::Ok();
}

}  // namespace pgvigil::collect
