// SPDX-License-Identifier: Apache-2.0
// table.vacuum_overdue: dead tuples of a table against the trigger autovacuum itself uses
// (threshold + scale_factor × reltuples, per-table reloptions over the global settings, capped
// by autovacuum_vacuum_max_threshold on 18+). A table far past its trigger is one autovacuum
// does not keep up with, or may not touch at all; the insert-driven trigger is given as
// evidence.
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class TableVacuumOverdueCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"table.vacuum_overdue"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
