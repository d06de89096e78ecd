// SPDX-License-Identifier: Apache-2.0
// TierSamples keeps, for one target, the latest and the previous sample of each collection tier
// and composes from them the snapshot analysis judges: fast parts from the latest fast sample,
// standard parts from the latest standard one, slow parts from the latest slow one. The
// composed `previous` takes each tier's previous sample, so every rate is computed over its
// own tier's interval (the tier times travel in Snapshot::tier_times). Not thread-safe: owned by
// one target's monitor.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "model/snapshot.h"

namespace pgvigil::daemon {

class TierSamples {
 public:
  // Records a sample; sample->tiers names the tiers it holds (one collection may hold several).
  void Add(std::shared_ptr<const model::Snapshot> sample);

  // The composition of each tier's latest sample; null before the first sample.
  std::shared_ptr<model::Snapshot> ComposeCurrent() const;
  // The composition of each tier's previous sample, for rates; null until some tier has two.
  std::shared_ptr<model::Snapshot> ComposePrevious() const;

  // The latest sample holding `tier`; null when none.
  std::shared_ptr<const model::Snapshot> Latest(const std::string& tier) const;

  // Forgets `tier`'s previous sample. Called when a sample of `tier` is about to be collected,
  // which replaces it anyway (a failed collection is retried with every tier): on a large
  // catalogue the slow tier's is ≈ 5 MiB, otherwise held next to the latest and the new one.
  void ForgetPrevious(const std::string& tier) { previous_.erase(tier); }

  // Forgets every sample (after a server restart, counters start again).
  void Clear() { latest_.clear(), previous_.clear(); }

 private:
  std::map<std::string, std::shared_ptr<const model::Snapshot>> latest_;
  std::map<std::string, std::shared_ptr<const model::Snapshot>> previous_;
};

// Copies `tier`'s parts and outcomes of `from` into `into` (exposed for tests).
void CopyTierParts(const model::Snapshot& from, const std::string& tier, model::Snapshot& into);

}  // namespace pgvigil::daemon
