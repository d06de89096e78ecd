// SPDX-License-Identifier: Apache-2.0
// locks.blocking: every backend waiting for a lock held by another longer than the threshold,
// with the root blocker(s) of its chain named — the session to look at (or cancel).
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class LocksBlockingCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"locks.blocking"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

// The root blockers of `pid`: the backends at the top of its blocking chains, which wait for
// nothing themselves. Cycles (a deadlock about to be detected) end the walk.
std::vector<int> RootBlockers(const std::vector<model::LockWait>& waits, int pid);

}  // namespace pgvigil::analysis
