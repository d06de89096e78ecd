// SPDX-License-Identifier: Apache-2.0
#include "collect/checkpointer_collector.h"

#include <fmt/format.h>

#include "collect/row_reader.h"

namespace pgvigil::collect {

common::Status CheckpointerCollector::Parse(const CollectContext& /*context*/,
                                            std::span<const pg::QueryOutcome> results,
                                            model::Snapshot& snapshot,
                                            std::string& /*note*/) const {
  using I = std::int64_t;
  using OptI = std::optional<std::int64_t>;
  using OptT = std::optional<common::Timestamp>;
  RowReader r(results[0].rows, "checkpointer");
  if (r.row_count() != 1) {
    return common::InternalError(
        fmt::format("checkpointer: expected one row, got {}", r.row_count()));
  }
  model::CheckpointerStats c;
  c.checkpoints_timed = r.Get<I>("checkpoints_timed");
  c.checkpoints_req = r.Get<I>("checkpoints_req");
  c.checkpoints_done = r.Get<OptI>("checkpoints_done");
  c.checkpoint_write_time = r.Get<double>("checkpoint_write_time");
  c.checkpoint_sync_time = r.Get<double>("checkpoint_sync_time");
  c.buffers_checkpoint = r.Get<I>("buffers_checkpoint");
  c.buffers_clean = r.Get<I>("buffers_clean");
  c.maxwritten_clean = r.Get<I>("maxwritten_clean");
  c.buffers_alloc = r.Get<I>("buffers_alloc");
  c.buffers_backend = r.Get<OptI>("buffers_backend");
  c.buffers_backend_fsync = r.Get<OptI>("buffers_backend_fsync");
  c.restartpoints_timed = r.Get<OptI>("restartpoints_timed");
  c.restartpoints_req = r.Get<OptI>("restartpoints_req");
  c.restartpoints_done = r.Get<OptI>("restartpoints_done");
  c.checkpointer_stats_reset = r.Get<OptT>("checkpointer_stats_reset");
  c.bgwriter_stats_reset = r.Get<OptT>("bgwriter_stats_reset");
  PGV_RETURN_IF_ERROR(r.status());
  snapshot.checkpointer = c;
  return common::Status::Ok();
}

}  // namespace pgvigil::collect
