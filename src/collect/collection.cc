// SPDX-License-Identifier: Apache-2.0
#include "collect/collection.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

namespace pgvigil::collect {
namespace {

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

bool InFilter(Scope scope, ScopeFilter filter) {
  return filter == ScopeFilter::kClusterAndDatabase || scope == Scope::kDatabase;
}

}  // namespace

CollectionPlan PlanCollection(const pg::ServerInfo& server,
                              std::span<const Collector* const> collectors,
                              std::span<const Tier> tiers, ScopeFilter filter,
                              const CollectorOptions& options, const QueryCatalog& catalog) {
  const CollectContext context{server, options, catalog};
  CollectionPlan plan;
  for (const Collector* c : collectors) {
    if (std::find(tiers.begin(), tiers.end(), c->tier()) == tiers.end()) continue;
    if (!InFilter(c->scope(), filter)) continue;
    CollectionPlan::Entry e;
    e.collector = c;
    auto queries = c->Plan(context);
    if (!queries.has_value()) {
      e.planning_outcome = OutcomeFromStatus(*c, queries.error());
    } else {
      e.first_query = plan.queries.size();
      e.query_count = queries->size();
      for (pg::Query& q : *queries) plan.queries.push_back(std::move(q));
    }
    plan.entries.push_back(std::move(e));
  }
  return plan;
}

CollectionParser::CollectionParser(const CollectionPlan& plan, const pg::ServerInfo& server,
                                   const CollectorOptions& options, const QueryCatalog& catalog,
                                   model::Snapshot& snapshot)
    : plan_(plan),
      context_{server, options, catalog},
      snapshot_(snapshot),
      results_(plan.queries.size()) {}

void CollectionParser::Add(size_t index, pg::QueryOutcome& outcome) {
  if (index != answered_ || index >= results_.size()) return;  // out of order: the caller's bug
  pg::QueryOutcome& kept = results_[index];
  kept.status = outcome.status;
  kept.elapsed = outcome.elapsed;
  kept.rows = std::move(outcome.rows);
  ++answered_;
  ParseReadyEntries(/*finishing=*/false);
}

void CollectionParser::Finish() { ParseReadyEntries(/*finishing=*/true); }

void CollectionParser::ParseReadyEntries(bool finishing) {
  for (; next_entry_ < plan_.entries.size(); ++next_entry_) {
    const CollectionPlan::Entry& e = plan_.entries[next_entry_];
    if (e.planning_outcome.has_value()) {  // skipped or failed at planning
      snapshot_.outcomes.push_back(*e.planning_outcome);
      continue;
    }
    if (e.first_query + e.query_count > answered_) {
      if (!finishing) return;  // wait for the rest of its results
      snapshot_.outcomes.push_back(OutcomeFromStatus(
          *e.collector,
          common::InternalError(fmt::format("{}: {} results for {} queries", e.collector->name(),
                                            answered_, plan_.queries.size()))));
      continue;
    }
    ParseEntry(e);
  }
}

void CollectionParser::ParseEntry(const CollectionPlan::Entry& e) {
  const Collector& c = *e.collector;
  const std::span<const pg::QueryOutcome> mine(results_.data() + e.first_query, e.query_count);
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
    failed = c.Parse(context_, mine, snapshot_, note);
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
  snapshot_.outcomes.push_back(std::move(o));
  // Parsed: give the result's memory back before the next collector's rows are read.
  for (size_t i = e.first_query; i < e.first_query + e.query_count; ++i) {
    results_[i].rows = pg::ResultSet();
  }
}

void ParseCollection(const CollectionPlan& plan, std::vector<pg::QueryOutcome> results,
                     const pg::ServerInfo& server, const CollectorOptions& options,
                     const QueryCatalog& catalog, model::Snapshot& snapshot) {
  CollectionParser parser(plan, server, options, catalog, snapshot);
  for (size_t i = 0; i < results.size(); ++i) parser.Add(i, results[i]);
  parser.Finish();
}

void RunCollectors(pg::Session& session, std::span<const Collector* const> collectors,
                   std::span<const Tier> tiers, const CollectorOptions& options,
                   const QueryCatalog& catalog, model::Snapshot& snapshot) {
  const pg::ServerInfo& server = session.server_info();
  const CollectionPlan plan =
      PlanCollection(server, collectors, tiers, ScopeFilter::kClusterAndDatabase, options, catalog);
  ParseCollection(plan, session.RunPipeline(plan.queries), server, options, catalog, snapshot);
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
