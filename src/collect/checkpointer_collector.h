// SPDX-License-Identifier: Apache-2.0
// pg_stat_bgwriter (up to 16), pg_stat_checkpointer + pg_stat_bgwriter (17+) →
// Snapshot::checkpointer, in one shape across the PostgreSQL 17 split. Standard tier.
#pragma once

#include "collect/collector.h"

namespace pgvigil::collect {

class CheckpointerCollector final : public Collector {
 public:
  std::string_view name() const override { return "checkpointer"; }
  Tier tier() const override { return Tier::kStandard; }
  Scope scope() const override { return Scope::kCluster; }
  common::Result<std::vector<pg::Query>> Plan(const CollectContext& context) const override {
    return PlanCatalogQueries(context, {"checkpointer"});
  }
  common::Status Parse(const CollectContext& context, std::span<const pg::QueryOutcome> results,
                       model::Snapshot& snapshot, std::string& note) const override;
};

}  // namespace pgvigil::collect
