// SPDX-License-Identifier: Apache-2.0
// table.seq_scan_heavy: a large table (n_live_tup ≥ table.seq_scan_heavy.min_rows) read mostly by
// sequential scans — seq_scan / (seq_scan + idx_scan) from the deltas over the interval when a
// comparable previous sample exists, else since the statistics reset (the evidence says which),
// and only from table.seq_scan_heavy.min_scans scans. The evidence names the pg_stat_statements
// entries whose text mentions the table: the statements to EXPLAIN.
//
// The finding also names a missing-index candidate when one of those statements is a plain
// SELECT that compares columns of the table with values in its WHERE (analysis/sql_parser.h):
// its equality columns, then one range column, at most three. `pgvigil check --verify-indexes`
// tries it on the server with hypopg (daemon/index_verification.h).
//
// Info, never a warning: the check cannot see plans, and a sequential scan is the right plan for
// a query that reads much of the table (reports, batch jobs). It points at missing-index
// candidates for a person to judge.
#pragma once

#include <string_view>

#include "analysis/check.h"
#include "model/index_candidate.h"

namespace pgvigil::analysis {

class TableSeqScanHeavyCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"table.seq_scan_heavy"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

// The candidates the findings of Evaluate(input) name, one per finding at most, in the same
// order: the same judgement, for the daemon to verify.
std::vector<model::IndexCandidate> SeqScanIndexCandidates(const CheckInput& input);

// Whether `query` mentions the table `relname` as a whole identifier (case-insensitive; bare,
// schema-qualified or double-quoted).
bool QueryMentionsTable(std::string_view query, std::string_view relname);

}  // namespace pgvigil::analysis
