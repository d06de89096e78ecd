// SPDX-License-Identifier: Apache-2.0
#include "collect/collection.h"

#include <algorithm>
#include <chrono>

namespace pgvigil::collect {
namespace {

struct Planned {
  const Collector* collector = nullptr;
  size_t first_query = 0;
  size_t query_count = 0;
  model::CollectorOutcome outcome;
};

model::CollectorOutcome OutcomeFromStatus(const Collector& c, const common::Status& s) {
  model::CollectorOutcome o;
  o.collector = std::string(c.name());
  o.tier = std::string(TierName(c.tier()));
  const bool skipped = s.code() == common::StatusCode::kUnsupported ||
                       s.code() == common::StatusCode::kPermissionDenied;
  o.status = skipped ? model::CollectorStatus::kSkipped : model::CollectorStatus::kError;
  o.error_code = std::string(common::StatusCodeName(s.code()));
  o.message = s.message();
  o.sqlstate = s.sqlstate();
  return o;
}

}  // namespace

void RunCollectors(pg::Session& session, std::span<const Collector* const> collectors,
                   std::span<const Tier> tiers, const CollectorOptions& options,
                   const QueryCatalog& catalog, model::Snapshot& snapshot) {
  const CollectContext context{session.server_info(), options, catalog};
  std::vector<Planned> planned;
  std::vector<pg::Query> queries;
  for (const Collector* c : collectors) {
    if (std::find(tiers.begin(), tiers.end(), c->tier()) == tiers.end()) continue;
    Planned p;
    p.collector = c;
    auto plan = c->Plan(context);
    if (!plan.has_value()) {
      p.outcome = OutcomeFromStatus(*c, plan.error());
    } else {
      p.first_query = queries.size();
      p.query_count = plan->size();
      for (pg::Query& q : *plan) queries.push_back(std::move(q));
    }
    planned.push_back(std::move(p));
  }

  std::vector<pg::QueryOutcome> results = session.RunPipeline(queries);

  for (Planned& p : planned) {
    const Collector& c = *p.collector;
    if (!p.outcome.collector.empty()) {  // skipped or failed at planning
      snapshot.outcomes.push_back(std::move(p.outcome));
      continue;
    }
    const std::span<const pg::QueryOutcome> mine(results.data() + p.first_query, p.query_count);
    model::CollectorOutcome o;
    o.collector = std::string(c.name());
    o.tier = std::string(TierName(c.tier()));
    std::chrono::microseconds elapsed{0};
    common::Status failed;
    for (const pg::QueryOutcome& r : mine) {
      elapsed += r.elapsed;
      o.rows += r.rows.row_count();
      if (!r.status.ok() && failed.ok()) failed = r.status;
    }
    if (failed.ok()) {
      std::string note;
      failed = c.Parse(context, mine, snapshot, note);
      o.message = std::move(note);
    }
    if (!failed.ok()) {
      const int rows = o.rows;
      o = OutcomeFromStatus(c, failed);
      // A query the server refused for lack of privilege is an error of the deployment, not
      // of the server: report it as an error so that it is seen and fixed.
      if (failed.code() == common::StatusCode::kPermissionDenied) {
        o.status = model::CollectorStatus::kError;
      }
      o.rows = rows;
    }
    o.duration_seconds = std::chrono::duration<double>(elapsed).count();
    snapshot.outcomes.push_back(std::move(o));
    // Parsed: give the result's memory back before the next collector's rows are copied.
    for (size_t i = p.first_query; i < p.first_query + p.query_count; ++i) {
      results[i].rows = pg::ResultSet();
    }
  }
}

model::ServerInfo ToModelServerInfo(const pg::ServerInfo& info) {
  model::ServerInfo out;
  out.server_version_num = info.server_version_num;
  out.server_version = info.server_version;
  out.is_in_recovery = info.is_in_recovery;
  out.current_database = info.current_database;
  out.current_user = info.current_user;
  out.is_superuser = info.is_superuser;
  out.has_pg_monitor = info.has_pg_monitor;
  out.has_read_all_stats = info.has_read_all_stats;
  out.block_size = info.block_size;
  out.postmaster_start_time = info.postmaster_start_time;
  for (const pg::Extension& e : info.extensions) {
    out.extensions.push_back({e.name, e.version, e.schema});
  }
  return out;
}

}  // namespace pgvigil::collect
