// SPDX-License-Identifier: Apache-2.0
// StateCache is the daemon's latest-state cache: one immutable model::TargetState per target,
// replaced whole on every change (copy, modify, publish), so a reader holds a consistent state
// for as long as it likes without locks. Every read path — the API, /metrics, the SSE stream,
// the dashboard — reads from here and never from a monitored database. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "http/state_source.h"
#include "model/target_state.h"

namespace pgvigil::daemon {

class StateCache final : public http::StateSource {
 public:
  // Sets the configured targets, in order. Targets that stay keep their state (a config reload
  // must not forget what is known); new ones start unknown; removed ones are dropped.
  void Configure(std::vector<model::TargetState> targets);

  // Applies `change` to a copy of the target's state, bumps its sequence and publishes it.
  // Returns the new state; null when the target is not configured (any more).
  std::shared_ptr<const model::TargetState> Update(
      std::string_view name, const std::function<void(model::TargetState&)>& change);

  std::vector<std::shared_ptr<const model::TargetState>> Targets() const override;
  std::shared_ptr<const model::TargetState> Target(std::string_view name) const override;

 private:
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<const model::TargetState>> targets_;  // PGV_GUARDED_BY(mu_)
};

}  // namespace pgvigil::daemon
