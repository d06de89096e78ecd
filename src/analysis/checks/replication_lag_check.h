// SPDX-License-Identifier: Apache-2.0
// replication.lag: how far standbys are behind, from both sides. On a primary, per walsender:
// replay lag in WAL bytes (replication.lag) and in time (replication.lag.seconds), the worse of
// the two. On a standby: the received but not yet replayed WAL, and the replay delay, which is
// judged only while WAL waits for replay: on an idle primary nothing new arrives and the time
// since the last replayed transaction grows without any lag.
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class ReplicationLagCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"replication.lag"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
