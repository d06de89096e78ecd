// SPDX-License-Identifier: Apache-2.0
// pg_stat_database between two snapshots, for the per-database rate checks (query.error_rate,
// locks.deadlocks, cache.hit_ratio, tempfiles.spill): each database of the current sample with
// its row of the previous one, matched by datid, and whether its statistics were reset in
// between (pg_stat_reset() moves stats_reset; counters then cannot be subtracted). Pure,
// thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "model/snapshot.h"

namespace pgvigil::analysis {

struct DatabasePair {
  const model::DatabaseStats* now = nullptr;
  const model::DatabaseStats* before = nullptr;
  bool reset = false;  // stats_reset moved: no delta is meaningful for this database
  // pg_database.datallowconn (from the current sample's database ages; true when unknown):
  // false for template0, which only autovacuum enters, so it has no client traffic to judge.
  bool allows_connections = true;

  // now − before of one counter; empty when reset or when it went backwards.
  std::optional<double> Delta(std::int64_t model::DatabaseStats::*counter) const;
};

struct DatabaseDeltas {
  // False when either sample lacks an ok stat_database part, or across a restart.
  bool comparable = false;
  double interval_seconds = 0;
  std::vector<DatabasePair> pairs;  // databases present in both samples
};

DatabaseDeltas MatchDatabases(const model::Snapshot& current, const model::Snapshot* previous);

}  // namespace pgvigil::analysis
