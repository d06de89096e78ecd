// SPDX-License-Identifier: Apache-2.0
#include "http/rendered_bodies.h"

namespace pgvigil::http {

std::shared_ptr<const std::string> RenderedBodies::Get(
    const std::shared_ptr<const model::TargetState>& state, int view,
    const std::function<std::string(const model::TargetState&)>& render) {
  auto key = std::make_pair(state->name, view);
  {
    std::lock_guard lock(mu_);
    const auto it = entries_.find(key);
    if (it != entries_.end() && it->second.state == state) {
      ++hits_;
      return it->second.body;
    }
    ++misses_;
  }
  // Rendered outside the lock: two requests racing on a new state may both render it, which
  // costs time but gives the same body.
  auto body = std::make_shared<const std::string>(render(*state));
  std::lock_guard lock(mu_);
  if (entries_.size() >= kMaxEntries && entries_.find(key) == entries_.end()) entries_.clear();
  entries_[std::move(key)] = Entry{state, body};
  return body;
}

std::size_t RenderedBodies::hits() const {
  std::lock_guard lock(mu_);
  return hits_;
}

std::size_t RenderedBodies::misses() const {
  std::lock_guard lock(mu_);
  return misses_;
}

}  // namespace pgvigil::http
