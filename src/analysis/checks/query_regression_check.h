// SPDX-License-Identifier: Apache-2.0
// query.regression: a statement whose mean execution time over the last interval rose against
// its own mean over the history (the sum of the per-interval deltas of the earlier samples,
// so resets and restarts in the history are stepped over, not averaged in). Says nothing
// without history or without enough calls on either side.
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class QueryRegressionCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"query.regression"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
