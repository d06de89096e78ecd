// SPDX-License-Identifier: Apache-2.0
// pg_stats + pg_class + pg_index → Snapshot::bloat_inputs. Slow tier.
//
// The inputs of the statistical bloat estimate, per user table and per btree index of at least
// 1 MiB in the database connected to (sql/bloat_inputs.sql): pages and tuples as of the last
// VACUUM/ANALYZE, fillfactor, and the width of an average tuple from pg_stats. analysis/ turns
// them into expected pages (table.bloat, index.bloat).
//
// pg_stats shows a column's statistics only to a role that may SELECT it; pg_monitor alone does
// not. A relation is kept only when every one of its columns has visible statistics; the
// outcome's note counts the others and names the grant that makes them visible. Cost: one
// pg_stats lookup per table of at least 1 MiB (or with such an index); no lock on any user
// relation, no size function.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "collect/collector.h"

namespace pgvigil::collect {

class BloatInputsCollector final : public Collector {
 public:
  std::string_view name() const override { return "bloat_inputs"; }
  Tier tier() const override { return Tier::kSlow; }
  Scope scope() const override { return Scope::kDatabase; }
  common::Result<std::vector<pg::Query>> Plan(const CollectContext& context) const override {
    return PlanCatalogQueries(context, {"bloat_inputs"});
  }
  common::Status Parse(const CollectContext& context, std::span<const pg::QueryOutcome> results,
                       model::Snapshot& snapshot, std::string& note) const override;
};

}  // namespace pgvigil::collect
