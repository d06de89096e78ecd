// SPDX-License-Identifier: Apache-2.0
// Runs collectors against one session: every query of the chosen tiers in one pipeline
// (one round trip), then each collector parses its own results. A collector that fails or is
// skipped gets an outcome saying why; the others are unaffected.
//
// In two halves for callers that do the I/O themselves (the daemon, co_await-ing an
// AsyncSession): PlanCollection says what to send, ParseCollection reads the answers.
// RunCollectors is the two joined by a blocking Session.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "collect/collector.h"
#include "model/snapshot.h"
#include "pg/session.h"

namespace pgvigil::collect {

// Which collectors a collection covers, by Scope. The main database of a target gets both;
// each further database of the same server only kDatabaseOnly, since the cluster-wide views
// answer the same from any database.
enum class ScopeFilter { kClusterAndDatabase, kDatabaseOnly };

// The queries of one collection and what ParseCollection needs to read their outcomes. Refers
// to the collectors it was planned from, which must outlive it (the built-in ones are static).
struct CollectionPlan {
  struct Entry {
    const Collector* collector = nullptr;
    size_t first_query = 0;  // its queries are queries[first_query, first_query + query_count)
    size_t query_count = 0;
    // Set when Plan() refused (skipped or failed): the outcome to record; no queries then.
    std::optional<model::CollectorOutcome> planning_outcome;
  };
  std::vector<pg::Query> queries;  // send these in one pipeline, in this order
  std::vector<Entry> entries;      // one per collector planned, in the collectors' order
};

// Plans the collectors among `collectors` whose tier is in `tiers` and whose scope passes
// `filter`, for the server described by `server`.
CollectionPlan PlanCollection(const pg::ServerInfo& server,
                              std::span<const Collector* const> collectors,
                              std::span<const Tier> tiers, ScopeFilter filter,
                              const CollectorOptions& options, const QueryCatalog& catalog);

// Reads `results` (one per plan.queries, in order, as RunPipeline returns them) and appends
// the collectors' parts and outcomes to `snapshot`. Takes the results by value to free each
// collector's rows once parsed. A result missing at the end fails its collector (kInternal).
void ParseCollection(const CollectionPlan& plan, std::vector<pg::QueryOutcome> results,
                     const pg::ServerInfo& server, const CollectorOptions& options,
                     const QueryCatalog& catalog, model::Snapshot& snapshot);

// Plans, runs and parses the collectors among `collectors` whose tier is in `tiers` (every
// scope) and appends their parts and outcomes to `snapshot`. Does not touch snapshot.server;
// see ToModelServerInfo.
void RunCollectors(pg::Session& session, std::span<const Collector* const> collectors,
                   std::span<const Tier> tiers, const CollectorOptions& options,
                   const QueryCatalog& catalog, model::Snapshot& snapshot);

// The snapshot's record of the server, from what the session detected at connect.
model::ServerInfo ToModelServerInfo(const pg::ServerInfo& info);

// Reads PgBouncer's admin console (SHOW POOLS, SHOW STATS) into snapshot.pgbouncer_* and
// records the "pgbouncer" outcome. `admin` is a session of kind kPgBouncerAdmin.
void CollectPgBouncer(pg::Session& admin, model::Snapshot& snapshot);

}  // namespace pgvigil::collect
