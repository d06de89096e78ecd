// SPDX-License-Identifier: Apache-2.0
// storage.size_limit: the size of all databases of the server against the plan's storage limit
// (parameter storage.size_limit.limit_bytes, set per target; 0 = not configured, no finding).
// A managed plan limits the instance, not one database, so the sum is judged. With history
// spanning at least storage.size_limit.min_history_seconds, the days until full at the linear
// growth of that sum (least squares over the samples) are classified by
// storage.size_limit.days_to_full; the worse of the two verdicts makes the finding.
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class StorageSizeLimitCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"storage.size_limit"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
