// SPDX-License-Identifier: Apache-2.0
// pg_stat_user_tables + pg_statio_user_tables + pg_class → Snapshot::tables. Slow tier.
//
// One row per user table of the database connected to, with its vacuum state, wraparound
// ages and autovacuum reloptions. Sizes are relpages × block_size: no size function runs on
// the catalogue (storage_collector.h measures the largest relations).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "collect/collector.h"
#include "model/table_stats.h"

namespace pgvigil::collect {

class StatUserTablesCollector final : public Collector {
 public:
  std::string_view name() const override { return "stat_user_tables"; }
  Tier tier() const override { return Tier::kSlow; }
  Scope scope() const override { return Scope::kDatabase; }
  common::Result<std::vector<pg::Query>> Plan(const CollectContext& context) const override {
    return PlanCatalogQueries(context, {"stat_user_tables"});
  }
  common::Status Parse(const CollectContext& context, std::span<const pg::QueryOutcome> results,
                       model::Snapshot& snapshot, std::string& note) const override;
};

// The autovacuum_* entries of pg_class.reloptions ({"autovacuum_enabled=off", "fillfactor=90"}),
// read as PostgreSQL reads them (parse_bool, parse_int, parse_real): "off", "of", "0" and
// "no" are false; "1e3" and "0x10" are integers. Other options are ignored, and so is a value
// that does not parse (PostgreSQL validated it when it was set, so none should).
//
// Parsed here rather than pivoted and cast in SQL: a cast that PostgreSQL's input functions
// refuse ("100.0"::bigint is an error, but a valid integer reloption) would fail the whole
// query for every table.
model::AutovacuumReloptions ParseAutovacuumReloptions(std::span<const std::string> reloptions);

}  // namespace pgvigil::collect
