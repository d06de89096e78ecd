// SPDX-License-Identifier: Apache-2.0
// index.unused: a valid index that no query has scanned (idx_scan = 0) and that enforces
// nothing (not unique, backs no constraint), from index.unused.min_bytes on. With history it is
// judged: unused in every sample for index.unused.min_days → warning from the index.unused size,
// info below. Without enough history it is only a lead (info, insufficient_data): idx_scan counts
// since the statistics were reset, and the index may be younger than that.
#pragma once

#include <optional>

#include "analysis/check.h"

namespace pgvigil::analysis {

class IndexUnusedCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"index.unused"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

// Since when `index` (of input.current) has provably had no scan: the oldest sample of
// input.previous and input.history from which idx_scan stayed 0 through every sample up to now
// with the counters comparable (no restart), and not before its database's last statistics
// reset. Times are those of the slow tier (pg_stat_user_indexes is read with it); the current
// sample's when no earlier sample shows it unused.
common::Timestamp UnusedSince(const CheckInput& input, const model::IndexStats& index);

}  // namespace pgvigil::analysis
