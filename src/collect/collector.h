// SPDX-License-Identifier: Apache-2.0
// A Collector reads one PostgreSQL view or concern into its part of a Snapshot. It does no
// judging (that is analysis) and never writes to PostgreSQL.
//
// Collection is two-phase so that every query of a collection goes out in one round trip:
// Plan() names the queries this server needs (or says why the collector must be skipped),
// the runner sends all collectors' queries in one pipeline, and Parse() reads this
// collector's results. Collectors are stateless and thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "collect/query_catalog.h"
#include "common/result.h"
#include "model/snapshot.h"
#include "pg/server_info.h"
#include "pg/session.h"

namespace pgvigil::collect {

enum class Tier { kFast, kStandard, kSlow };
std::string_view TierName(Tier tier);
// "fast", "standard", "slow"; false for anything else.
bool ParseTier(std::string_view text, Tier* out);

// What a collector's rows describe. kCluster: the whole server, the same from any database
// (pg_stat_activity, pg_stat_database, pg_settings…), so it runs on one database per server.
// kDatabase: only the database connected to (pg_stat_user_tables, pg_class…), so it runs on
// every monitored database of the server.
enum class Scope { kCluster, kDatabase };
std::string_view ScopeName(Scope scope);  // "cluster", "database"

struct CollectorOptions {
  // Statement texts are read only for the top statements by total and by mean execution time
  // (each): the texts are most of pg_stat_statements' result size.
  int statement_text_limit = 50;
  // How many of the largest relations (by pg_class.relpages) get measured sizes.
  int largest_relations_limit = 50;
};

struct CollectContext {
  const pg::ServerInfo& server;
  const CollectorOptions& options;
  const QueryCatalog& catalog;
};

class Collector {
 public:
  virtual ~Collector() = default;

  // Stable name: the outcome's "collector", the settings key, the metric label.
  virtual std::string_view name() const = 0;
  virtual Tier tier() const = 0;
  virtual Scope scope() const = 0;

  // The queries to run on this server. An error skips the collector: kUnsupported or
  // kPermissionDenied with the reason in words ("pg_stat_statements is not installed in
  // database app") are reported as skipped, any other code as an error.
  virtual common::Result<std::vector<pg::Query>> Plan(const CollectContext& context) const = 0;

  // Reads the outcomes of Plan()'s queries, in the same order, into `snapshot`. Only called
  // when every query succeeded. May set `note` to a one-line warning (a partial result).
  virtual common::Status Parse(const CollectContext& context,
                               std::span<const pg::QueryOutcome> results,
                               model::Snapshot& snapshot, std::string& note) const = 0;
};

// Every built-in collector, in a stable order (builtin_collectors.cc).
std::span<const Collector* const> BuiltinCollectors();

// A Plan() helper for the common case: one query from the catalog, by the server's major.
common::Result<std::vector<pg::Query>> PlanCatalogQueries(const CollectContext& context,
                                                          std::initializer_list<std::string_view> names);

}  // namespace pgvigil::collect
