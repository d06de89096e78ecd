// SPDX-License-Identifier: Apache-2.0
// query.error_rate: per database, rolled-back transactions / all transactions over the last
// interval (pg_stat_database deltas), judged only from enough transactions.
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class QueryErrorRateCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"query.error_rate"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
