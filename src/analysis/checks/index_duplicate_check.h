// SPDX-License-Identifier: Apache-2.0
// index.duplicate: two or more valid indexes of one table with the same definition (every
// column, INCLUDE ones too, operator classes, collations, ASC/DESC and NULLS options, predicate,
// access method). One is kept — the primary key, else one backing a constraint, else a unique
// one, else the most scanned, else the oldest — and a finding per other one recommends dropping
// it: a warning at any size (index.duplicate), since a duplicate only costs.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <string>

#include "analysis/check.h"

namespace pgvigil::analysis {

class IndexDuplicateCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"index.duplicate"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

// Whether `a` and `b` index the same table with the same definition (uniqueness aside: a unique
// index serves every read a non-unique twin serves).
bool SameDefinition(const model::IndexStats& a, const model::IndexStats& b);

// Whether `index` is valid and maintained: invalid ones are index.invalid's.
bool IsUsableIndex(const model::IndexStats& index);

// The usable indexes of each table ((datname, relid) → indexes in catalogue order), so that
// comparisons stay within a table: linear in the catalogue, not quadratic.
std::map<std::pair<std::string, std::uint32_t>, std::vector<const model::IndexStats*>>
UsableIndexesByTable(const std::vector<model::IndexStats>& indexes);

// "(email, created DESC) INCLUDE (id)", for evidence.
std::string DescribeColumns(const model::IndexStats& index);

}  // namespace pgvigil::analysis
