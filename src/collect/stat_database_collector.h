// SPDX-License-Identifier: Apache-2.0
// pg_stat_database + pg_stat_database_conflicts → Snapshot::databases. Standard tier.
#pragma once

#include "collect/collector.h"

namespace pgvigil::collect {

class StatDatabaseCollector final : public Collector {
 public:
  std::string_view name() const override { return "stat_database"; }
  Tier tier() const override { return Tier::kStandard; }
  Scope scope() const override { return Scope::kCluster; }
  common::Result<std::vector<pg::Query>> Plan(const CollectContext& context) const override {
    return PlanCatalogQueries(context, {"stat_database"});
  }
  common::Status Parse(const CollectContext& context, std::span<const pg::QueryOutcome> results,
                       model::Snapshot& snapshot, std::string& note) const override;
};

}  // namespace pgvigil::collect
