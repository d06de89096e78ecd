// SPDX-License-Identifier: Apache-2.0
#include "daemon/state_cache.h"

#include <algorithm>

namespace pgvigil::daemon {

void StateCache::Configure(std::vector<model::TargetState> targets) {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<const model::TargetState>> next;
  for (model::TargetState& t : targets) {
    const auto old = std::find_if(targets_.begin(), targets_.end(),
                                  [&](const auto& s) { return s->name == t.name; });
    if (old != targets_.end()) {
      // Keep what was learned; take the new identity (region, labels, databases).
      auto kept = std::make_shared<model::TargetState>(**old);
      kept->region = std::move(t.region);
      kept->labels = std::move(t.labels);
      kept->databases = std::move(t.databases);
      if (!t.tiers.empty()) {
        for (model::TierState& tier : kept->tiers) {
          for (const model::TierState& fresh : t.tiers) {
            if (fresh.tier == tier.tier) tier.interval_seconds = fresh.interval_seconds;
          }
        }
      }
      ++kept->sequence;
      next.push_back(std::move(kept));
    } else {
      next.push_back(std::make_shared<const model::TargetState>(std::move(t)));
    }
  }
  targets_ = std::move(next);
}

std::shared_ptr<const model::TargetState> StateCache::Update(
    std::string_view name, const std::function<void(model::TargetState&)>& change) {
  std::lock_guard lock(mu_);
  for (auto& slot : targets_) {
    if (slot->name != name) continue;
    auto next = std::make_shared<model::TargetState>(*slot);
    change(*next);
    next->sequence = slot->sequence + 1;
    slot = next;
    return slot;
  }
  return nullptr;
}

std::vector<std::shared_ptr<const model::TargetState>> StateCache::Targets() const {
  std::lock_guard lock(mu_);
  return targets_;
}

std::shared_ptr<const model::TargetState> StateCache::Target(std::string_view name) const {
  std::lock_guard lock(mu_);
  for (const auto& t : targets_) {
    if (t->name == name) return t;
  }
  return nullptr;
}

}  // namespace pgvigil::daemon
