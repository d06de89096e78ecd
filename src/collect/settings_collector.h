// SPDX-License-Identifier: Apache-2.0
// pg_settings → Snapshot::settings: the fixed list of settings analysis needs (sql/settings.sql).
// archive_command and restore_command may hold credentials: the SQL returns only 'set' or ''
// for them, and Parse() enforces that again. Standard tier.
#pragma once

#include "collect/collector.h"

namespace pgvigil::collect {

class SettingsCollector final : public Collector {
 public:
  std::string_view name() const override { return "settings"; }
  Tier tier() const override { return Tier::kStandard; }
  Scope scope() const override { return Scope::kCluster; }
  common::Result<std::vector<pg::Query>> Plan(const CollectContext& context) const override {
    return PlanCatalogQueries(context, {"settings"});
  }
  common::Status Parse(const CollectContext& context, std::span<const pg::QueryOutcome> results,
                       model::Snapshot& snapshot, std::string& note) const override;
};

}  // namespace pgvigil::collect
