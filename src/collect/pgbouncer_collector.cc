// SPDX-License-Identifier: Apache-2.0
// PgBouncer's admin console speaks only the simple query protocol and only its SHOW commands,
// so it is read with RunSimple on a session of its own rather than through the pipeline.
#include <chrono>

#include "collect/pgbouncer_collector.h"

#include "collect/collection.h"
#include "collect/row_reader.h"

namespace pgvigil::collect {
namespace {

common::Status ReadPools(const pg::ResultSet& rows, model::Snapshot& snapshot) {
  RowReader r(rows, "SHOW POOLS");
  for (int i = 0; i < r.row_count(); ++i) {
    r.Seek(i);
    model::PgBouncerPool p;
    p.database = r.Get<std::string>("database");
    p.user = r.Get<std::string>("user");
    p.cl_active = r.Get<std::int64_t>("cl_active");
    p.cl_waiting = r.Get<std::int64_t>("cl_waiting");
    p.sv_active = r.Get<std::int64_t>("sv_active");
    p.sv_idle = r.Get<std::int64_t>("sv_idle");
    p.sv_used = r.Get<std::int64_t>("sv_used");
    p.sv_tested = r.Get<std::int64_t>("sv_tested");
    p.sv_login = r.Get<std::int64_t>("sv_login");
    p.maxwait_seconds =
        static_cast<double>(r.Get<std::int64_t>("maxwait")) +
        static_cast<double>(r.Get<std::optional<std::int64_t>>("maxwait_us").value_or(0)) / 1e6;
    p.pool_mode = r.Get<std::string>("pool_mode");
    snapshot.pgbouncer_pools.push_back(std::move(p));
  }
  return r.status();
}

common::Status ReadStats(const pg::ResultSet& rows, model::Snapshot& snapshot) {
  using OptI = std::optional<std::int64_t>;
  RowReader r(rows, "SHOW STATS");
  for (int i = 0; i < r.row_count(); ++i) {
    r.Seek(i);
    model::PgBouncerStats s;
    s.database = r.Get<std::string>("database");
    s.total_xact_count = r.Get<OptI>("total_xact_count").value_or(0);
    s.total_query_count = r.Get<OptI>("total_query_count").value_or(0);
    s.total_received = r.Get<OptI>("total_received").value_or(0);
    s.total_sent = r.Get<OptI>("total_sent").value_or(0);
    s.total_xact_time = r.Get<OptI>("total_xact_time").value_or(0);
    s.total_query_time = r.Get<OptI>("total_query_time").value_or(0);
    s.total_wait_time = r.Get<OptI>("total_wait_time").value_or(0);
    snapshot.pgbouncer_stats.push_back(std::move(s));
  }
  return r.status();
}

}  // namespace

void ParsePgBouncer(const common::Result<pg::ResultSet>& pools,
                    const common::Result<pg::ResultSet>& stats,
                    std::chrono::steady_clock::duration elapsed, model::Snapshot& snapshot) {
  model::CollectorOutcome o;
  o.collector = "pgbouncer";
  o.tier = std::string(TierName(Tier::kFast));
  common::Status status;
  if (!pools.has_value()) {
    status = pools.error().WithContext("SHOW POOLS");
  } else {
    o.rows += pools->row_count();
    status = ReadPools(*pools, snapshot);
  }
  if (status.ok()) {
    if (!stats.has_value()) {
      status = stats.error().WithContext("SHOW STATS");
    } else {
      o.rows += stats->row_count();
      status = ReadStats(*stats, snapshot);
    }
  }
  if (!status.ok()) {
    o.status = model::CollectorStatus::kError;
    o.error_code = std::string(common::StatusCodeName(status.code()));
    o.message = status.message();
    o.sqlstate = status.sqlstate();
  }
  o.duration_seconds = std::chrono::duration<double>(elapsed).count();
  snapshot.outcomes.push_back(std::move(o));
}

void RecordPgBouncerFailure(const common::Status& status, model::Snapshot& snapshot) {
  model::CollectorOutcome o;
  o.collector = "pgbouncer";
  o.tier = std::string(TierName(Tier::kFast));
  o.status = model::CollectorStatus::kError;
  o.error_code = std::string(common::StatusCodeName(status.code()));
  o.message = status.message();
  o.sqlstate = status.sqlstate();
  snapshot.outcomes.push_back(std::move(o));
}

void CollectPgBouncer(pg::Session& admin, model::Snapshot& snapshot) {
  const auto start = std::chrono::steady_clock::now();
  auto pools = admin.RunSimple("SHOW POOLS");
  common::Result<pg::ResultSet> stats = common::InternalError("SHOW POOLS failed first");
  if (pools.has_value()) stats = admin.RunSimple("SHOW STATS");
  ParsePgBouncer(pools, stats, std::chrono::steady_clock::now() - start, snapshot);
}

}  // namespace pgvigil::collect
