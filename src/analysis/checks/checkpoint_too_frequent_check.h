// SPDX-License-Identifier: Apache-2.0
// checkpoint.too_frequent: the share of checkpoints over the last interval that were requested
// (WAL reached max_wal_size, or a CHECKPOINT command) rather than started by
// checkpoint_timeout. Frequent checkpoints cost I/O and full-page writes after each one.
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class CheckpointTooFrequentCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"checkpoint.too_frequent"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
