// SPDX-License-Identifier: Apache-2.0
// Replication from both sides → Snapshot::replication (pg_stat_replication), wal_receiver
// (a standby's pg_stat_wal_receiver and replay position; empty on a primary) and
// replication_slots. Fast tier. Lags are measured against the current WAL position on a
// primary and against the receive position on a standby.
#pragma once

#include "collect/collector.h"

namespace pgvigil::collect {

class ReplicationCollector final : public Collector {
 public:
  std::string_view name() const override { return "replication"; }
  Tier tier() const override { return Tier::kFast; }
  Scope scope() const override { return Scope::kCluster; }
  common::Result<std::vector<pg::Query>> Plan(const CollectContext& context) const override {
    return PlanCatalogQueries(context,
                              {"stat_replication", "stat_wal_receiver", "replication_slots"});
  }
  common::Status Parse(const CollectContext& context, std::span<const pg::QueryOutcome> results,
                       model::Snapshot& snapshot, std::string& note) const override;
};

}  // namespace pgvigil::collect
