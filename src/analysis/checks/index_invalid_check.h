// SPDX-License-Identifier: Apache-2.0
// index.invalid: an index with indisvalid = false, the leftover of a CREATE INDEX CONCURRENTLY
// or REINDEX CONCURRENTLY that failed or was cancelled. The planner never uses it; while it is
// still ready (indisready) every write maintains it, and a unique one still rejects duplicates.
// A warning at any size (index.invalid): it is advice to drop and re-create it, never done
// silently. An index whose build is running right now (a backend's query names it with
// CONCURRENTLY) is invalid by design until the build ends: info only.
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class IndexInvalidCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"index.invalid"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
