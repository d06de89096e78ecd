// SPDX-License-Identifier: Apache-2.0
// A plan as EXPLAIN (FORMAT JSON) gives it, without ANALYZE: the planner's estimates only, for a
// normalised statement planned generically (its $n parameters unknown). Only the fields that
// analysis judges are kept. Plain data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pgvigil::model {

struct PlanNode {
  std::string node_type;      // "Seq Scan", "Index Scan", "Sort", "Hash", "Nested Loop", …
  std::string relation_name;  // scans: the table
  std::string schema;         // scans: its schema (EXPLAIN gives it with VERBOSE only; may be "")
  std::string alias;
  std::string index_name;  // index scans
  std::string join_type;   // joins: "Inner", "Left", …
  double startup_cost = 0;
  double total_cost = 0;
  double plan_rows = 0;         // estimated rows out, per loop
  double plan_width = 0;        // estimated bytes per row
  std::vector<PlanNode> plans;  // children
};

struct QueryPlan {
  std::int64_t queryid = 0;
  std::string datname;  // the database it was planned in
  PlanNode root;
  std::string error;  // why no plan could be read (root is empty then), in words
};

}  // namespace pgvigil::model
