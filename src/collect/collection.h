// SPDX-License-Identifier: Apache-2.0
// Runs collectors against one session: every query of the chosen tiers in one pipeline
// (one round trip), then each collector parses its own results. A collector that fails or is
// skipped gets an outcome saying why; the others are unaffected.
#pragma once

#include <span>

#include "collect/collector.h"
#include "model/snapshot.h"
#include "pg/session.h"

namespace pgvigil::collect {

// Runs the collectors among `collectors` whose tier is in `tiers` and appends their parts and
// outcomes to `snapshot`. Does not touch snapshot.server; see ToModelServerInfo.
void RunCollectors(pg::Session& session, std::span<const Collector* const> collectors,
                   std::span<const Tier> tiers, const CollectorOptions& options,
                   const QueryCatalog& catalog, model::Snapshot& snapshot);

// The snapshot's record of the server, from what the session detected at connect.
model::ServerInfo ToModelServerInfo(const pg::ServerInfo& info);

// Reads PgBouncer's admin console (SHOW POOLS, SHOW STATS) into snapshot.pgbouncer_* and
// records the "pgbouncer" outcome. `admin` is a session of kind kPgBouncerAdmin.
void CollectPgBouncer(pg::Session& admin, model::Snapshot& snapshot);

}  // namespace pgvigil::collect
