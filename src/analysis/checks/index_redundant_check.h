// SPDX-License-Identifier: Apache-2.0
// index.redundant: a btree index whose key columns lead another btree index of the same table
// (same predicate; the same operator classes, collations and ordering on the shared columns, or
// all of them reversed, which a backward scan reads), whose INCLUDE columns the longer one also
// holds. Every query it serves, the longer one can. Never reported when the shorter one is
// unique or backs a constraint: it enforces what the longer one does not.
//
// Info by default: the shorter index is smaller, so queries on its columns may be a little
// faster with it, and only the workload tells whether that is worth its cost on every write. A
// warning from the index.redundant size (1 GiB), where that cost is rarely worth it.
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class IndexRedundantCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"index.redundant"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

// Whether `shorter` is made redundant by `longer` (as above; exact duplicates are not: that is
// index.duplicate).
bool CoveredBy(const model::IndexStats& shorter, const model::IndexStats& longer);

}  // namespace pgvigil::analysis
