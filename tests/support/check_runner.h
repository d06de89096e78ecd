// SPDX-License-Identifier: Apache-2.0
// Runs one analysis check on hand-built snapshots, for unit tests of checks.
//
//   model::Snapshot now = …, before = …;
//   auto findings = testing::EvaluateCheck(MyCheck(), now, &before);
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "analysis/check.h"
#include "common/clock.h"

namespace pgvigil::testing {

inline std::vector<model::Finding> EvaluateCheck(const analysis::Check& check,
                                                 const model::Snapshot& current,
                                                 const model::Snapshot* previous = nullptr,
                                                 const analysis::Thresholds& thresholds = {},
                                                 const analysis::History& history = {}) {
  const analysis::CheckInput input{current, previous, history, thresholds};
  std::vector<model::Finding> out;
  check.Evaluate(input, out);
  return out;
}

// An outcome entry saying `collector` succeeded, for checks that only judge collected parts.
inline model::CollectorOutcome OkOutcome(std::string collector) {
  model::CollectorOutcome o;
  o.collector = std::move(collector);
  return o;
}

// A pg_stat_statements entry of user 10 ("app") in database 5 ("shop"), top level: `calls`
// calls taking `total_ms` in all (and its mean), one row and ten shared hits per call.
inline model::StatementStats Statement(std::int64_t queryid, std::int64_t calls, double total_ms) {
  model::StatementStats s;
  s.userid = 10;
  s.dbid = 5;
  s.queryid = queryid;
  s.rolname = "app";
  s.datname = "shop";
  s.toplevel = true;
  s.calls = calls;
  s.total_exec_time = total_ms;
  s.mean_exec_time = calls > 0 ? total_ms / static_cast<double>(calls) : 0;
  s.rows = calls;
  s.shared_blks_hit = calls * 10;
  return s;
}

// A sample of target "db1" taken `at` seconds after the epoch, holding `statements`.
inline model::Snapshot StatementsSample(double at, std::vector<model::StatementStats> statements) {
  model::Snapshot s;
  s.target = "db1";
  s.collected_at = common::TimestampFromEpochSeconds(at);
  s.outcomes = {OkOutcome("stat_statements")};
  s.statements = std::move(statements);
  return s;
}

}  // namespace pgvigil::testing
