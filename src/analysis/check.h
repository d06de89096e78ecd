// SPDX-License-Identifier: Apache-2.0
// A Check turns snapshots into findings. Checks are pure: no I/O, no clock, no state; the same
// input gives the same findings, so they are tested from fixtures without a database. One check
// per file under checks/, listed in builtin_checks.cc. Thread-safe (stateless).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/thresholds.h"
#include "model/finding.h"
#include "model/snapshot.h"

namespace pgvigil::analysis {

// Earlier samples of one target, oldest first, for checks that judge a trend (query
// regression, days until full, unused for N days). Empty when there is no history: such checks
// then say nothing.
class HistoryMemo;       // statement_baselines.h
struct StatementDeltas;  // statement_deltas.h

struct History {
  std::vector<const model::Snapshot*> snapshots;
  // Optional: shared by the analyses of one loaded history, so that what a check derives from
  // it alone is computed once (the daemon sets it; nullptr computes it every time).
  std::shared_ptr<HistoryMemo> memo = nullptr;
};

struct CheckInput {
  const model::Snapshot& current;
  // The sample before `current` (seconds to minutes earlier), for rates; nullptr when there is
  // none. Counters are compared only when both samples hold the collector's part.
  const model::Snapshot* previous = nullptr;
  const History& history;
  const Thresholds& thresholds;
  // pg_stat_statements between `previous` and `current`, which five checks read: computed by
  // the first that asks (IntervalStatementDeltas) and kept for the others of this analysis.
  // An input serves one analysis at a time, as Analyze runs its checks one after another.
  mutable std::shared_ptr<const StatementDeltas> statement_deltas = nullptr;
};

class Check {
 public:
  virtual ~Check() = default;
  // The finding ids this check can produce ("index.unused", "index.duplicate", …).
  virtual std::vector<std::string_view> ids() const = 0;
  // Appends this check's findings (warning, critical, info; never ok) to `out`.
  virtual void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const = 0;
};

// Every built-in check (builtin_checks.cc).
std::span<const Check* const> BuiltinChecks();
// The built-in checks that read fast-tier parts and need neither `previous` nor history: what
// the daemon re-runs on a sample that holds only the fast tier (see Reanalyze).
std::span<const Check* const> FastTierChecks();

}  // namespace pgvigil::analysis
