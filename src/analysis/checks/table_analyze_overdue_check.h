// SPDX-License-Identifier: Apache-2.0
// table.analyze_overdue: rows modified since the last ANALYZE against the trigger autoanalyze
// itself uses (autovacuum_analyze_threshold + autovacuum_analyze_scale_factor × reltuples,
// per-table reloptions over the global settings). Stale statistics give the planner wrong row
// estimates, and with them bad plans.
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class TableAnalyzeOverdueCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"table.analyze_overdue"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
