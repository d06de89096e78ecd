// SPDX-License-Identifier: Apache-2.0
#include "analysis/database_deltas.h"

#include <map>
#include <string_view>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
namespace {

bool HasDatabases(const model::Snapshot& s) {
  const model::CollectorOutcome* o = s.FindOutcome("stat_database");
  return o != nullptr && o->status == model::CollectorStatus::kOk;
}

}  // namespace

std::optional<double> DatabasePair::Delta(std::int64_t model::DatabaseStats::*counter) const {
  if (reset) return std::nullopt;
  return CounterDelta(static_cast<double>(now->*counter), static_cast<double>(before->*counter));
}

DatabaseDeltas MatchDatabases(const model::Snapshot& current, const model::Snapshot* previous) {
  DatabaseDeltas out;
  if (previous == nullptr || !HasDatabases(current) || !HasDatabases(*previous) ||
      !CountersComparable(current, *previous, model::kStandardTier)) {
    return out;
  }
  out.comparable = true;
  out.interval_seconds = IntervalSeconds(current, *previous, model::kStandardTier);
  std::map<std::string_view, bool> allows_connections;
  for (const model::DatabaseAge& a : current.database_ages) {
    allows_connections.emplace(a.datname, a.datallowconn);
  }
  std::map<std::uint32_t, const model::DatabaseStats*> before;
  for (const model::DatabaseStats& d : previous->databases) before.emplace(d.datid, &d);
  for (const model::DatabaseStats& d : current.databases) {
    const auto it = before.find(d.datid);
    // A database created (or dropped and re-created under its name) in the interval has no
    // earlier row to subtract.
    if (it == before.end() || it->second->datname != d.datname) continue;
    const auto allows = allows_connections.find(d.datname);
    out.pairs.push_back({&d, it->second, d.stats_reset != it->second->stats_reset,
                         allows == allows_connections.end() || allows->second});
  }
  return out;
}

}  // namespace pgvigil::analysis
