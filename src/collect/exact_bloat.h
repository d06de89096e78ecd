// SPDX-License-Identifier: Apache-2.0
// `pgvigil check --exact`: measures the bloat of given relations with the pgstattuple extension
// (collect/sql/exact_bloat.sql): pgstattuple_approx for tables, pgstatindex for btree indexes.
// Read-only; relations under an ACCESS EXCLUSIVE lock (held or awaited) are skipped, not
// waited for. Not a Collector: it runs on demand, for the objects a check flagged.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "collect/query_catalog.h"
#include "common/result.h"
#include "model/exact_bloat.h"
#include "pg/session.h"

namespace pgvigil::collect {

// The query for `oids` (empty: kInvalidArgument), or kUnsupported when pgstattuple is not
// installed in the session's database (the message says how to install it).
common::Result<pg::Query> PlanExactBloat(const pg::ServerInfo& server, const QueryCatalog& catalog,
                                         std::span<const std::uint32_t> oids);

// One figure per oid that still exists, measured or skipped with the reason. The query runs
// beside the collectors' on the monitoring session (daemon::TargetCollector::RunQueries).
common::Result<std::vector<model::ExactBloat>> ParseExactBloat(const pg::ResultSet& rows,
                                                               int block_size);

}  // namespace pgvigil::collect
