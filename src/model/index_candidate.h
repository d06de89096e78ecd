// SPDX-License-Identifier: Apache-2.0
// A missing-index candidate of table.seq_scan_heavy: the columns a statement that scans the
// table compares with values in its WHERE, and what the planner made of a hypothetical index on
// them (hypopg, `pgvigil check --verify-indexes`). Plain data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pgvigil::model {

struct IndexCandidate {
  std::string object;  // the finding's object: "db.schema.table"
  std::string datname;
  std::string schemaname;
  std::string relname;
  std::vector<std::string> columns;  // equality columns first, then at most one range column
  std::int64_t queryid = 0;          // the statement the columns come from
  std::string query;                 // its normalised text ($n parameters), a plain SELECT
  int parameters = 0;                // the highest $n in it
};

struct IndexVerification {
  std::string object;       // the candidate's
  std::string skipped;      // why it was not verified, in words; empty when it was
  double cost_before = 0;   // the estimated total cost of the statement's plan without …
  double cost_after = 0;    // … and with the hypothetical index
  bool uses_index = false;  // the plan with it scans the hypothetical index
  std::string index_name;   // hypopg's name for it: "<13556>btree_orders_customer_id"

  bool verified() const { return skipped.empty(); }
};

}  // namespace pgvigil::model
