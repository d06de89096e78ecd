// SPDX-License-Identifier: Apache-2.0
// What a generic plan (EXPLAIN without ANALYZE: estimates only) says about a statement, for
// query.advice (`pgvigil check --explain`): sequential scans of large tables,
// sorts and hashes whose estimated size exceeds work_mem (they would spill to temp files), and
// nested loops planned for far fewer rows than the statement returns. Each piece names its
// evidence: the plan node, its estimates and the setting or table figure it is compared with.
// Pure, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/thresholds.h"
#include "model/query_plan.h"
#include "model/snapshot.h"

namespace pgvigil::analysis {

struct PlanAdvice {
  std::vector<std::string> names;  // one per kind of advice, for the message
  std::vector<std::string> lines;  // one per occurrence, "plan: …; why: …"
};

// Advice on `plan`, judged against the snapshot's tables (n_live_tup, for "large": from
// table.seq_scan_heavy.min_rows) and settings (work_mem, hash_mem_multiplier). `rows_per_call`
// is what pg_stat_statements measured, for the estimate miss; nullopt when unknown.
PlanAdvice AdviseOnPlan(const model::QueryPlan& plan, const model::Snapshot& snapshot,
                        const Thresholds& thresholds, std::optional<double> rows_per_call);

// Whether any node of `node` scans the index `index_name` (hypopg's "<oid>btree_t_c").
bool PlanUsesIndex(const model::PlanNode& node, std::string_view index_name);

}  // namespace pgvigil::analysis
