// SPDX-License-Identifier: Apache-2.0
// `pgvigil check` without the printing: two samples of every tier, `interval` apart, on one
// session (the second sample's counters minus the first's give the rates), then analysis.
#pragma once

#include <chrono>

#include "analysis/thresholds.h"
#include "common/result.h"
#include "daemon/collect_once.h"
#include "model/finding.h"
#include "model/health_report.h"
#include "model/snapshot.h"

namespace pgvigil::daemon {

struct CheckOnceOptions {
  CollectOnceOptions collect;
  std::chrono::milliseconds interval{5000};
  analysis::Thresholds thresholds;
  // Measure the relations the table.bloat / index.bloat findings name with pgstattuple
  // (pgstattuple_approx, pgstatindex) and judge the measured figure instead of the estimate.
  bool exact = false;
  // Try the missing-index candidates of table.seq_scan_heavy with hypopg (if installed) and
  // EXPLAIN: daemon/index_verification.h.
  bool verify_indexes = false;
  // Read the generic plans of query.advice's statements and add what they show:
  // daemon/generic_plans.h, analysis/plan_advice.h.
  bool explain = false;
};

struct CheckOnceResult {
  model::Snapshot first;
  model::Snapshot second;
  model::HealthReport report;
};

// The report, or the error when the target could not be reached (UNKNOWN for Nagios).
common::Result<CheckOnceResult> CheckOnce(const CheckOnceOptions& options);

}  // namespace pgvigil::daemon
