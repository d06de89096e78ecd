// SPDX-License-Identifier: Apache-2.0
// pg_stat_archiver → Snapshot::archiver. Standard tier.
#pragma once

#include "collect/collector.h"

namespace pgvigil::collect {

class ArchiverCollector final : public Collector {
 public:
  std::string_view name() const override { return "archiver"; }
  Tier tier() const override { return Tier::kStandard; }
  Scope scope() const override { return Scope::kCluster; }
  common::Result<std::vector<pg::Query>> Plan(const CollectContext& context) const override {
    return PlanCatalogQueries(context, {"stat_archiver"});
  }
  common::Status Parse(const CollectContext& context, std::span<const pg::QueryOutcome> results,
                       model::Snapshot& snapshot, std::string& note) const override;
};

}  // namespace pgvigil::collect
