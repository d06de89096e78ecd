// SPDX-License-Identifier: Apache-2.0
// pg_sequence + pg_class + pg_depend → Snapshot::sequences. Slow tier.
//
// Every sequence of the database connected to, with the serial or identity column it feeds
// (whose type may cap it below the sequence's own maximum). last_value needs SELECT or USAGE
// on the sequence, which pg_monitor does not give (up to PostgreSQL 18 at least): without it
// the sequence is listed with is_readable false and the outcome's note says what to grant.
//
// pg_sequence_last_value takes ROW EXCLUSIVE on the sequence; where a conflicting lock is held
// or awaited (ALTER SEQUENCE, DROP), the value is not read and the sequence is listed in
// Snapshot::skipped_relations instead of queueing behind it.
#pragma once

#include <string_view>

#include "collect/collector.h"

namespace pgvigil::collect {

class SequencesCollector final : public Collector {
 public:
  std::string_view name() const override { return "sequences"; }
  Tier tier() const override { return Tier::kSlow; }
  Scope scope() const override { return Scope::kDatabase; }
  common::Result<std::vector<pg::Query>> Plan(const CollectContext& context) const override {
    return PlanCatalogQueries(context, {"sequences"});
  }
  common::Status Parse(const CollectContext& context, std::span<const pg::QueryOutcome> results,
                       model::Snapshot& snapshot, std::string& note) const override;
};

}  // namespace pgvigil::collect
