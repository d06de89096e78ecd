// SPDX-License-Identifier: Apache-2.0
// pg_locks + pg_stat_activity → Snapshot::lock_waits: every backend waiting for a heavyweight
// lock, with the pids that block it. Fast tier.
#pragma once

#include "collect/collector.h"

namespace pgvigil::collect {

class LocksCollector final : public Collector {
 public:
  std::string_view name() const override { return "locks"; }
  Tier tier() const override { return Tier::kFast; }
  Scope scope() const override { return Scope::kCluster; }
  common::Result<std::vector<pg::Query>> Plan(const CollectContext& context) const override {
    return PlanCatalogQueries(context, {"locks"});
  }
  common::Status Parse(const CollectContext& context, std::span<const pg::QueryOutcome> results,
                       model::Snapshot& snapshot, std::string& note) const override;
};

}  // namespace pgvigil::collect
