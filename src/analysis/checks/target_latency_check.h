// SPDX-License-Identifier: Apache-2.0
// target.latency: the round trip of the session set-up query (trivial server work), so a slow
// answer is the network or a saturated server. An unreachable target has no snapshot; the
// daemon reports that as target.unreachable.
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class TargetLatencyCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"target.latency"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
