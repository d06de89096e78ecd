// SPDX-License-Identifier: Apache-2.0
// pooler.clients_waiting and pooler.max_wait: per PgBouncer pool (SHOW POOLS), clients queued
// for a server connection and how long the oldest of them has waited. Only when the snapshot
// holds an ok "pgbouncer" outcome; PgBouncer's own admin pool is left out.
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class PoolerCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override {
    return {"pooler.clients_waiting", "pooler.max_wait"};
  }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
