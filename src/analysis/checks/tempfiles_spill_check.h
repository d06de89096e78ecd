// SPDX-License-Identifier: Apache-2.0
// tempfiles.spill: per database, bytes written to temporary files per second over the last
// interval (pg_stat_database deltas): sorts and hashes that did not fit in work_mem. The
// statements that spilled most in the same interval (pg_stat_statements) are the evidence.
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class TempfilesSpillCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"tempfiles.spill"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
