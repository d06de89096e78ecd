// SPDX-License-Identifier: Apache-2.0
// pg_stat_statements → Snapshot::statements and statements_info. Standard tier.
//
// Skipped unless the extension is installed in the database connected to. Its SQL variant is
// chosen by the extension's version, not the server's: a server upgraded without ALTER
// EXTENSION … UPDATE keeps the old function signature. Three queries: the counters of every
// statement without texts (texts are most of the view's bytes), the texts of the top
// statements only (CollectorOptions.statement_text_limit by total and by mean execution
// time), and pg_stat_statements_info (1.9+). Never resets the statistics.
//
// Utility statements keep their literals in pg_stat_statements (ALTER ROLE … PASSWORD '…'), so
// a text that may carry a credential is withheld: the statement keeps its counters, and its
// query reads "<withheld by pgvigil: may contain a credential>".
#pragma once

#include <string_view>

#include "collect/collector.h"

namespace pgvigil::collect {

class StatStatementsCollector final : public Collector {
 public:
  std::string_view name() const override { return "stat_statements"; }
  Tier tier() const override { return Tier::kStandard; }
  Scope scope() const override { return Scope::kCluster; }
  common::Result<std::vector<pg::Query>> Plan(const CollectContext& context) const override;
  common::Status Parse(const CollectContext& context, std::span<const pg::QueryOutcome> results,
                       model::Snapshot& snapshot, std::string& note) const override;

  // The PostgreSQL major that shipped extension version `extversion` ("1.10" → 15), which
  // keys the catalog's variants of the pg_stat_statements queries; versions newer than
  // pgvigil knows map to the newest known. 0 when older than 1.8 (PostgreSQL 13) or unreadable.
  static int CatalogVersionForExtension(std::string_view extversion);
};

}  // namespace pgvigil::collect
