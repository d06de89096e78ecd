// SPDX-License-Identifier: Apache-2.0
// PgBouncer's pools and stats from its admin console (SHOW POOLS, SHOW STATS). The reading is
// split from the I/O so that both the blocking path (CollectPgBouncer in collection.h) and the
// daemon's event loop share it. Pure functions, thread-safe.
#pragma once

#include <chrono>

#include "common/result.h"
#include "model/snapshot.h"
#include "pg/result_set.h"

namespace pgvigil::collect {

// Reads SHOW POOLS and SHOW STATS results (or their errors) into snapshot.pgbouncer_* and
// records the "pgbouncer" outcome; `elapsed` is the time both took.
void ParsePgBouncer(const common::Result<pg::ResultSet>& pools,
                    const common::Result<pg::ResultSet>& stats,
                    std::chrono::steady_clock::duration elapsed, model::Snapshot& snapshot);

// Records a "pgbouncer" outcome with `status` (the admin console could not be reached).
void RecordPgBouncerFailure(const common::Status& status, model::Snapshot& snapshot);

}  // namespace pgvigil::collect
