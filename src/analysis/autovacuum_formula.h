// SPDX-License-Identifier: Apache-2.0
// The autovacuum launcher's own arithmetic (relation_needs_vacanalyze in autovacuum.c), per
// table: a per-table reloption wins over the global setting, and
//   trigger = threshold + scale_factor × reltuples   (capped by autovacuum_vacuum_max_threshold,
//   18+)
// Shared by table.vacuum_overdue and table.analyze_overdue. Pure, thread-safe.
#pragma once

#include <optional>
#include <string>

#include "model/snapshot.h"

namespace pgvigil::analysis {

enum class AutovacuumTriggerKind {
  kVacuum,  // n_dead_tup vs autovacuum_vacuum_threshold / _scale_factor (/ _max_threshold)
  kInsert,  // n_ins_since_vacuum vs autovacuum_vacuum_insert_threshold / _scale_factor (13+)
  kAnalyze  // n_mod_since_analyze vs autovacuum_analyze_threshold / _scale_factor
};

struct AutovacuumTrigger {
  double threshold = 0;
  double scale_factor = 0;
  std::optional<double> max_threshold;  // the cap, when one applies (vacuum, 18+)
  double reltuples = 0;                 // the row estimate the scale factor multiplies
  bool reltuples_from_live = false;     // reltuples was -1 (never analysed): n_live_tup used
  bool from_reloptions = false;         // threshold or scale factor came from reloptions
  bool capped = false;                  // the max threshold decided the trigger
  double trigger = 0;                   // the number of tuples that starts autovacuum

  // "50 + 0.2 × 10000 rows = 2050" (+ " capped at …", " (reloptions)", " (n_live_tup: never
  // analysed)"), for evidence lines.
  std::string Formula() const;
};

// The trigger of `kind` for `table`, with its reloptions over the global settings of `s`.
// Empty when a global setting it needs was not collected, or when the trigger is switched off
// (an insert threshold of -1).
std::optional<AutovacuumTrigger> ComputeAutovacuumTrigger(const model::Snapshot& s,
                                                          const model::TableStats& table,
                                                          AutovacuumTriggerKind kind);

// Why autovacuum will not process `table` on its own ("autovacuum_enabled = false on the
// table", "autovacuum = off", "track_counts = off"), or empty when it may. Anti-wraparound
// vacuums run regardless.
std::string AutovacuumDisabledReason(const model::Snapshot& s, const model::TableStats& table);

// "3.2 days ago" or "never", from `at` to `now`.
std::string AgoText(common::Timestamp now, const std::optional<common::Timestamp>& at);

// The later of two optional timestamps.
std::optional<common::Timestamp> Latest(const std::optional<common::Timestamp>& a,
                                        const std::optional<common::Timestamp>& b);

}  // namespace pgvigil::analysis
