// SPDX-License-Identifier: Apache-2.0
// RenderedBodies keeps, per target and view, the last JSON body rendered from a TargetState,
// so that the requests between two state changes (a state changes about once a second; a
// dashboard or a load balancer asks far more often) share one rendering instead of building
// the JSON again each time: on a large database the health view is ~1 MB of findings and its
// rendering was most of a request's cost (docs/benchmarks.md). An entry is reused only for the
// very state object it was rendered from — it holds that object, so the pointer cannot be
// reused by another state — which makes a stale body impossible. Thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "model/target_state.h"

namespace pgvigil::http {

class RenderedBodies {
 public:
  // Renderings kept at most (targets × views); beyond, the cache starts again empty.
  static constexpr std::size_t kMaxEntries = 512;

  // The body of `view` for `state`: the cached rendering when it was made from this same state
  // object, else `render(*state)`, kept for the next call.
  std::shared_ptr<const std::string> Get(
      const std::shared_ptr<const model::TargetState>& state, int view,
      const std::function<std::string(const model::TargetState&)>& render);

  std::size_t hits() const;
  std::size_t misses() const;

 private:
  struct Entry {
    std::shared_ptr<const model::TargetState> state;
    std::shared_ptr<const std::string> body;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, Entry> entries_;  // PGV_GUARDED_BY(mu_)
  std::size_t hits_ = 0;                                  // PGV_GUARDED_BY(mu_)
  std::size_t misses_ = 0;                                // PGV_GUARDED_BY(mu_)
};

}  // namespace pgvigil::http
