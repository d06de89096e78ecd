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

// Reads a collection's outcomes as they arrive and appends the collectors' parts and outcomes
// to `snapshot`, in the collectors' order. Each collector is parsed as soon as its last
// query is answered, and its rows are freed then: fed from AsyncSession::RunPipeline's sink,
// a collection holds one collector's rows at a time, not the whole pipeline's (the slow tier's
// on a large catalogue is ≈ 13 MiB). Refers to its arguments, which must outlive it.
class CollectionParser {
 public:
  CollectionParser(const CollectionPlan& plan, const pg::ServerInfo& server,
                   const CollectorOptions& options, const QueryCatalog& catalog,
                   model::Snapshot& snapshot);

  // The outcome of plan.queries[index]; indices come in order, each once. Takes the rows and
  // leaves the status and elapsed time.
  void Add(size_t index, pg::QueryOutcome& outcome);
  // Add, as a sink for AsyncSession::RunPipeline. Refers to this parser.
  pg::OutcomeSink Sink() {
    return [this](size_t index, pg::QueryOutcome& outcome) { Add(index, outcome); };
  }

  // Records the collectors not parsed yet: a result missing at the end fails its collector
  // (kInternal: the caller's bug, not the server's).
  void Finish();

 private:
  void ParseReadyEntries(bool finishing);
  void ParseEntry(const CollectionPlan::Entry& e);

  const CollectionPlan& plan_;
  const CollectContext context_;
  model::Snapshot& snapshot_;
  std::vector<pg::QueryOutcome> results_;  // one per query; rows freed once parsed
  size_t answered_ = 0;                    // results_[0, answered_) have arrived
  size_t next_entry_ = 0;                  // plan_.entries[next_entry_] is parsed next
};

// The parser fed with `results` (one per plan.queries, in order, as RunPipeline returns
// them) and finished.
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
