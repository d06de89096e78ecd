// SPDX-License-Identifier: Apache-2.0
// The queries behind `pgvigil check --verify-indexes` and `--explain`: the generic plan of a
// normalised pg_stat_statements text (its $n placeholders unknown): PREPARE, then EXPLAIN
// EXECUTE with NULLs under plan_cache_mode = force_generic_plan (the plan made without parameter
// values, as EXPLAIN (GENERIC_PLAN) gives it from 16 on — which cannot serve here: over the
// extended protocol of our pipeline the $n of its text are taken as the EXPLAIN's own parameters
// and the Bind fails); and hypopg's hypothetical indexes. EXPLAIN is never run with ANALYZE, and
// only on texts analysis/sql_parser.h read as one plain SELECT: nothing is executed. Like
// collect/exact_bloat.h these run on demand, beside the collectors, on the monitoring session
// (read-only, its lock_timeout applies). Pure planning and parsing; the daemon runs them
// (daemon/index_verification.h, daemon/plan_advice.h).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "collect/query_catalog.h"
#include "common/result.h"
#include "pg/session.h"

namespace pgvigil::collect {

// The queries that read one statement's generic plan, in order; the plan is the result of
// queries[plan_index] (ExplainJson reads it): PREPARE, EXPLAIN EXECUTE and DEALLOCATE (an
// error in the PREPARE is the reason the EXPLAIN fails).
struct ExplainQueries {
  std::vector<pg::Query> queries;
  std::size_t plan_index = 0;
};

// `name` names the prepared statement ("pgvigil_explain_1"); `statement` is the
// normalised text with `parameters` placeholders. kInvalidArgument for an empty text.
common::Result<ExplainQueries> PlanGenericExplain(const pg::ServerInfo& server,
                                                  const QueryCatalog& catalog,
                                                  std::string_view name, std::string_view statement,
                                                  int parameters);

// The settings query to run before a batch of EXPLAINs (`statement_timeout` for each of them,
// plan_cache_mode = force_generic_plan) or, with `restore`, after it
// (`statement_timeout` is then the session's own, plan_cache_mode goes back to its reset value).
common::Result<pg::Query> PlanExplainSettings(const pg::ServerInfo& server,
                                              const QueryCatalog& catalog,
                                              std::chrono::milliseconds statement_timeout,
                                              bool restore);

// A hypothetical btree index on `columns` of schema.table, or kUnsupported when hypopg is not
// installed in the session's database (the message says how to install it).
common::Result<pg::Query> PlanHypopgCreateIndex(const pg::ServerInfo& server,
                                                const QueryCatalog& catalog,
                                                std::string_view schemaname,
                                                std::string_view relname,
                                                const std::vector<std::string>& columns);
common::Result<pg::Query> PlanHypopgReset(const pg::ServerInfo& server,
                                          const QueryCatalog& catalog);

// The text of EXPLAIN (FORMAT JSON)'s single value, and hypopg_create_index's index name.
common::Result<std::string> ExplainJson(const pg::ResultSet& rows);
common::Result<std::string> HypopgIndexName(const pg::ResultSet& rows);

}  // namespace pgvigil::collect
