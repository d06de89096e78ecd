// SPDX-License-Identifier: Apache-2.0
// pg_stat_user_indexes + pg_statio_user_indexes + pg_index → Snapshot::indexes. Slow tier.
//
// One row per user index of the database connected to: usage counters, validity flags, the
// constraint it backs, and its definition split into the parts that duplicate and redundancy
// checks compare (key columns, operator classes, collations, options, predicate). Cost is
// linear in the number of indexes: about 30-50 µs each on a 2-vCPU machine, half of it
// pg_get_indexdef for the definition.
//
// The deparser behind pg_get_indexdef and pg_get_expr takes ACCESS SHARE on the indexed table.
// The indexes of a table where an ACCESS EXCLUSIVE lock is held or awaited are therefore left
// out (a row is complete or absent) and the table is listed in Snapshot::skipped_relations.
#pragma once

#include <string_view>

#include "collect/collector.h"

namespace pgvigil::collect {

class StatUserIndexesCollector final : public Collector {
 public:
  std::string_view name() const override { return "stat_user_indexes"; }
  Tier tier() const override { return Tier::kSlow; }
  Scope scope() const override { return Scope::kDatabase; }
  common::Result<std::vector<pg::Query>> Plan(const CollectContext& context) const override {
    return PlanCatalogQueries(context, {"stat_user_indexes"});
  }
  common::Status Parse(const CollectContext& context, std::span<const pg::QueryOutcome> results,
                       model::Snapshot& snapshot, std::string& note) const override;
};

}  // namespace pgvigil::collect
