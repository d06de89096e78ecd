// SPDX-License-Identifier: Apache-2.0
#include "collect/collector.h"

namespace pgvigil::collect {

std::string_view TierName(Tier tier) {
  switch (tier) {
    case Tier::kFast: return "fast";
    case Tier::kStandard: return "standard";
    case Tier::kSlow: return "slow";
  }
  return "unknown";
}

std::string_view ScopeName(Scope scope) {
  switch (scope) {
    case Scope::kCluster: return "cluster";
    case Scope::kDatabase: return "database";
  }
  return "unknown";
}

bool ParseTier(std::string_view text, Tier* out) {
  for (Tier t : {Tier::kFast, Tier::kStandard, Tier::kSlow}) {
    if (TierName(t) == text) {
      *out = t;
      return true;
    }
  }
  return false;
}

common::Result<std::vector<pg::Query>> PlanCatalogQueries(
    const CollectContext& context, std::initializer_list<std::string_view> names) {
  std::vector<pg::Query> queries;
  for (std::string_view name : names) {
    PGV_ASSIGN_OR_RETURN(std::string_view sql, context.catalog.Find(name, context.server.major()));
    queries.push_back({std::string(name), std::string(sql)});
  }
  return queries;
}

}  // namespace pgvigil::collect
