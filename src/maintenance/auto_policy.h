// SPDX-License-Identifier: Apache-2.0
// The automatic maintenance policy (issue 6 §5, off by default): from a target's latest findings
// → the maintenance requests to queue, inside a maintenance window only. Pure and
// deterministic, so the daemon's scheduler only calls it and queues what it returns; every
// request then goes through the same planning, guards and audit as an operator's.
//
//   table.vacuum_overdue  → VACUUM (ANALYZE) of the table
//   table.analyze_overdue → ANALYZE of the table (dropped when the table is vacuumed anyway)
//   index.bloat           → REINDEX INDEX CONCURRENTLY when the estimated bloat ratio (and, when
//                           the index size is known, the wasted bytes) reach the thresholds
//
// Nothing blocking is ever chosen (no VACUUM FULL, no plain REINDEX), table.bloat included.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/finding.h"
#include "model/maintenance.h"
#include "model/snapshot.h"

namespace pgvigil::maintenance {

struct AutoPolicyOptions {
  bool enabled = false;
  // index.bloat findings at or above this estimated wasted ratio are rebuilt.
  double reindex_bloat_threshold_ratio = 0.3;
  // …and, when the index's size is known, wasting at least this many bytes (0: no minimum
  // beyond the check's own index.bloat.min_bytes).
  std::int64_t reindex_bloat_threshold_bytes = 0;
  // At most this many requests per run, most severe first; the rest wait for the next run.
  int max_operations_per_run = 3;
  // Findings below this severity are left to autovacuum.
  model::Severity min_severity = model::Severity::kWarning;
};

struct AutoPolicyInput {
  std::string target;
  std::vector<model::Finding> findings;  // the target's latest analysis
  bool inside_window = false;            // InsideAnyWindow(policy.windows, now)
  // Size of an index by its finding object ("app.public.orders_pkey"), for the bytes
  // threshold; an index missing here is judged by the ratio alone.
  std::map<std::string, std::int64_t> index_size_bytes;
  // The target's latest snapshot (not owned; may be null), against whose tables and indexes a
  // finding's object is resolved by exact name (model::FindRelationByObject, as the API's
  // requests by finding are), so a schema or table name holding a dot names the right relation.
  const model::Snapshot* snapshot = nullptr;
};

// The requests to queue now: none unless options.enabled and input.inside_window. Each has
// initiator and initiator_role "policy", exact database / schema / object names (the index for
// REINDEX, the table otherwise), and reason naming the finding ("policy: table.vacuum_overdue
// (critical)"). One request per relation (VACUUM ANALYZE covers ANALYZE), at most
// options.max_operations_per_run, ordered by severity (critical first), then VACUUM before
// ANALYZE before REINDEX, then the larger figure, then the name.
std::vector<model::MaintenanceRequest> PlanAutomaticMaintenance(const AutoPolicyInput& input,
                                                                const AutoPolicyOptions& options);

}  // namespace pgvigil::maintenance
