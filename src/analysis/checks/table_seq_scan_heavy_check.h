// SPDX-License-Identifier: Apache-2.0
// table.seq_scan_heavy: a large table (n_live_tup ≥ table.seq_scan_heavy.min_rows) read mostly by
// sequential scans — seq_scan / (seq_scan + idx_scan) from the deltas over the interval when a
// comparable previous sample exists, else since the statistics reset (the evidence says which),
// and only from table.seq_scan_heavy.min_scans scans. The evidence names the pg_stat_statements
// entries whose text mentions the table: the statements to EXPLAIN.
//
// Info, never a warning: the check cannot see plans, and a sequential scan is the right plan for
// a query that reads much of the table (reports, batch jobs). It points at missing-index
// candidates for a person to judge.
#pragma once

#include <string_view>

#include "analysis/check.h"

namespace pgvigil::analysis {

class TableSeqScanHeavyCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"table.seq_scan_heavy"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

// Whether `query` mentions the table `relname` as a whole identifier (case-insensitive; bare,
// schema-qualified or double-quoted).
bool QueryMentionsTable(std::string_view query, std::string_view relname);

}  // namespace pgvigil::analysis
