// SPDX-License-Identifier: Apache-2.0
// table.bloat and index.bloat (btree): the statistical estimate of wasted space. From the
// bloat_inputs collector (pg_class pages and tuples as of the last VACUUM/ANALYZE, the average
// tuple width from pg_stats, fillfactor) it computes the pages the live tuples need and calls
// the rest waste: free space, dead tuples, half-empty index pages. An estimate, never a
// measurement: the evidence says so and shows its inputs, and analysis/README.md lists its error
// sources. Thresholds: table.bloat / index.bloat on the wasted share, from
// table.bloat.min_bytes / index.bloat.min_bytes of waste.
#pragma once

#include <optional>

#include "analysis/check.h"
#include "model/bloat_inputs.h"

namespace pgvigil::analysis {

class BloatCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"table.bloat", "index.bloat"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

struct BloatEstimate {
  double tuples_per_page = 0;  // heap: tuples per page at fillfactor; btree: leaf items
  double expected_pages = 0;   // what the live tuples need (btree: meta + leaf + internal)
  double wasted_pages = 0;     // relpages − expected_pages, at least 0
  double wasted_ratio = 0;     // wasted_pages / relpages
  double wasted_bytes = 0;
};

// The estimate for one relation on a server with `block_size` pages; empty when the inputs
// cannot give one (no pages, no width).
std::optional<BloatEstimate> EstimateBloat(const model::BloatInputs& inputs, int block_size);

}  // namespace pgvigil::analysis
