// SPDX-License-Identifier: Apache-2.0
// pg_database ages and pg_prepared_xacts → Snapshot::database_ages and prepared_transactions,
// the cluster-wide inputs of wraparound and xmin-horizon checks. Standard tier.
#pragma once

#include "collect/collector.h"

namespace pgvigil::collect {

class WraparoundCollector final : public Collector {
 public:
  std::string_view name() const override { return "wraparound"; }
  Tier tier() const override { return Tier::kStandard; }
  Scope scope() const override { return Scope::kCluster; }
  common::Result<std::vector<pg::Query>> Plan(const CollectContext& context) const override {
    return PlanCatalogQueries(context, {"database_ages", "prepared_xacts"});
  }
  common::Status Parse(const CollectContext& context, std::span<const pg::QueryOutcome> results,
                       model::Snapshot& snapshot, std::string& note) const override;
};

}  // namespace pgvigil::collect
