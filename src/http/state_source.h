// SPDX-License-Identifier: Apache-2.0
// StateSource is how http/ reads live state without knowing the daemon: the daemon's cache
// implements it (STYLE.md §3). Every call returns immutable copies and never queries a monitored
// database. Implementations are thread-safe.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "model/target_state.h"

namespace pgvigil::http {

class StateSource {
 public:
  virtual ~StateSource() = default;
  // Every configured target, in configuration order.
  virtual std::vector<std::shared_ptr<const model::TargetState>> Targets() const = 0;
  // One target by name; null when there is none.
  virtual std::shared_ptr<const model::TargetState> Target(std::string_view name) const = 0;
};

}  // namespace pgvigil::http
