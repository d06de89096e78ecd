// SPDX-License-Identifier: Apache-2.0
#include "collect/locks_collector.h"

#include "collect/row_reader.h"

namespace pgvigil::collect {

common::Status LocksCollector::Parse(const CollectContext& /*context*/,
                                     std::span<const pg::QueryOutcome> results,
                                     model::Snapshot& snapshot, std::string& /*note*/) const {
  RowReader r(results[0].rows, "locks");
  for (int i = 0; i < r.row_count(); ++i) {
    r.Seek(i);
    model::LockWait w;
    w.pid = r.Get<int>("pid");
    w.blocking_pids = r.Get<std::vector<int>>("blocking_pids");
    w.locktype = r.Get<std::string>("locktype");
    w.mode = r.Get<std::string>("mode");
    w.relation = r.Get<std::string>("relation");
    w.datname = r.Get<std::string>("datname");
    w.wait_seconds = r.Get<std::optional<double>>("wait_seconds");
    w.is_wait_start_exact = r.Get<bool>("is_wait_start_exact");
    snapshot.lock_waits.push_back(std::move(w));
  }
  return r.status();
}

}  // namespace pgvigil::collect
