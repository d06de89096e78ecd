// SPDX-License-Identifier: Apache-2.0
// pg_stat_statements between two snapshots: what each statement did in the interval, for the
// query.* checks and tempfiles.spill. Entries are matched by (userid, dbid, queryid, toplevel).
// An entry is counted from zero when its counters provably began inside the interval (it was
// absent before, its stats_since moved, or all statistics were reset); an entry that may have
// been evicted and re-created unseen (pg_stat_statements_info.dealloc moved, no stats_since
// to tell) is left out and counted in `not_comparable`. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "analysis/check.h"
#include "model/snapshot.h"

namespace pgvigil::analysis {

// One statement's activity in the interval; time in milliseconds as pg_stat_statements keeps it.
struct StatementDelta {
  const model::StatementStats* now = nullptr;  // the entry in the current snapshot
  bool from_zero = false;                      // its counters began in the interval
  double calls = 0;
  double total_exec_time = 0;
  double rows = 0;
  double shared_blks_hit = 0;
  double shared_blks_read = 0;
  double temp_blks_written = 0;
};

struct StatementDeltas {
  // False when the two snapshots cannot be compared (a part missing or failed, a restart);
  // `why_not` then says which.
  bool comparable = false;
  std::string why_not;
  double interval_seconds = 0;
  bool stats_reset_in_interval = false;
  std::int64_t evicted = 0;  // pg_stat_statements_info.dealloc in the interval, when known
  int not_comparable = 0;    // entries seen before that could not be compared
  std::vector<StatementDelta> deltas;
};

// Whether `s` holds a usable pg_stat_statements part (the collector's outcome is ok).
bool HasStatements(const model::Snapshot& s);

StatementDeltas ComputeStatementDeltas(const model::Snapshot& current,
                                       const model::Snapshot& previous);

// ComputeStatementDeltas(input.current, *input.previous), once per input (CheckInput's
// statement_deltas). `input.previous` must not be nullptr.
const StatementDeltas& IntervalStatementDeltas(const CheckInput& input);

// A statement's figures summed over every entry with its queryid (one per role, database and
// nesting level): findings name statements as "queryid N".
struct QueryDelta {
  std::int64_t queryid = 0;
  const model::StatementStats* sample = nullptr;  // an entry with text when one has it
  std::vector<const model::StatementStats*> entries;
  double calls = 0;
  double total_exec_time = 0;  // ms
  double rows = 0;
  double shared_blks_hit = 0;
  double shared_blks_read = 0;
  double temp_blks_written = 0;
};

std::map<std::int64_t, QueryDelta> ByQueryId(const std::vector<StatementDelta>& deltas);

}  // namespace pgvigil::analysis
