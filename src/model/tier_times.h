// SPDX-License-Identifier: Apache-2.0
// When each collection tier's parts of a snapshot were read. The daemon composes the snapshot
// analysis judges from each tier's latest sample (fast ≈ 1 s, standard ≈ 15 s, slow ≈ 5 min
// apart), so the parts of one snapshot can be minutes apart; a snapshot collected in one go
// (`pgvigil check`, a recorded scenario) leaves these empty and all its parts are as of
// Snapshot::collected_at. Plain data.
#pragma once

#include <optional>
#include <string_view>

#include "common/clock.h"

namespace pgvigil::model {

// Tier names as collect::TierName spells them.
inline constexpr std::string_view kFastTier = "fast";
inline constexpr std::string_view kStandardTier = "standard";
inline constexpr std::string_view kSlowTier = "slow";

struct TierTimes {
  std::optional<common::Timestamp> fast;
  std::optional<common::Timestamp> standard;
  std::optional<common::Timestamp> slow;

  // The slot of `tier` ("fast", "standard", "slow"); null for any other name.
  std::optional<common::Timestamp>* Find(std::string_view tier) {
    if (tier == kFastTier) return &fast;
    if (tier == kStandardTier) return &standard;
    if (tier == kSlowTier) return &slow;
    return nullptr;
  }
  const std::optional<common::Timestamp>* Find(std::string_view tier) const {
    if (tier == kFastTier) return &fast;
    if (tier == kStandardTier) return &standard;
    if (tier == kSlowTier) return &slow;
    return nullptr;
  }
};

}  // namespace pgvigil::model
