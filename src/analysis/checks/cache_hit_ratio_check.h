// SPDX-License-Identifier: Apache-2.0
// cache.hit_ratio: per database, shared buffer hits / (hits + reads) over the last interval
// (pg_stat_database deltas), judged only when enough blocks were requested. A read here may
// still come from the operating system's cache; the ratio says how often PostgreSQL had to ask.
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class CacheHitRatioCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"cache.hit_ratio"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
