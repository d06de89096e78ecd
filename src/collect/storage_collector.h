// SPDX-License-Identifier: Apache-2.0
// Measured sizes → Snapshot::database_sizes, largest_relations, skipped_relations. Slow tier.
//
// Three queries: pg_database_size of every database that accepts connections; the size
// functions on the CollectorOptions.largest_relations_limit largest tables and materialized
// views of the database connected to, chosen by pg_class.relpages so that no size function
// runs on the whole catalogue; and the relations among those that were left out.
//
// A size function takes ACCESS SHARE on the table, its indexes and its TOAST table. Where an
// ACCESS EXCLUSIVE lock is held or awaited on any of them (ALTER TABLE, TRUNCATE, REINDEX,
// VACUUM FULL, a migration's LOCK TABLE), that request would queue behind the exclusive one,
// and everything the application sends to the table would then queue behind ours. Such
// relations are skipped and listed with the pid that holds or waits for the lock. The race
// between the pg_locks check and the size call is bounded by the session's lock_timeout.
//
// Scope: mixed. database_sizes covers the whole cluster, largest_relations and
// exclusively_locked_relations only the database connected to. The collector is kCluster, so
// that the costliest query (pg_database_size of every database) runs once per server: the
// relation sizes of a server's extra databases are therefore not collected. TODO: move the
// relation half into a kDatabase collector of its own once store/, analysis/ and http/ (which
// read the "storage" outcome for both halves) can follow.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "collect/collector.h"

namespace pgvigil::collect {

class StorageCollector final : public Collector {
 public:
  std::string_view name() const override { return "storage"; }
  Tier tier() const override { return Tier::kSlow; }
  Scope scope() const override { return Scope::kCluster; }
  common::Result<std::vector<pg::Query>> Plan(const CollectContext& context) const override;
  common::Status Parse(const CollectContext& context, std::span<const pg::QueryOutcome> results,
                       model::Snapshot& snapshot, std::string& note) const override;
};

// Why a relation was skipped (model::SkippedRelation::reason): "AccessExclusiveLock held by
// pid 123", "AccessExclusiveLock on app.orders_pkey requested by pid 456", or "… held by a
// prepared transaction" (whose locks have no pid). `locked_relation` is empty when the lock
// is on the skipped relation itself rather than on one of its indexes or its TOAST table.
std::string LockSkipReason(std::string_view mode, std::string_view locked_relation,
                           std::optional<int> pid, bool granted);

}  // namespace pgvigil::collect
