// SPDX-License-Identifier: Apache-2.0
// locks.deadlocks: per database, deadlocks detected in the last interval (pg_stat_database
// deltas). PostgreSQL resolves each one by aborting a transaction; a steady stream of them is
// an application that takes locks in inconsistent order.
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class LocksDeadlocksCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"locks.deadlocks"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
