// SPDX-License-Identifier: Apache-2.0
// A statement's baseline: its pg_stat_statements deltas summed over the history, for
// query.regression. Computing it compares every pair of consecutive history samples (≈ 5,650
// statements each on the large benchmark database), while the daemon reloads its history only
// with slow samples: HistoryMemo lets the analyses of one loaded history share the result
// instead of recomputing it at every standard tick (docs/benchmarks.md). Pure functions; a
// HistoryMemo is thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "analysis/check.h"
#include "model/snapshot.h"

namespace pgvigil::analysis {

struct StatementBaseline {
  double calls = 0;
  double total_exec_time = 0;  // ms
  double rows = 0;
  double shared_blks = 0;  // hit + read
  double seconds = 0;      // the time of the intervals it was seen in
};

using StatementBaselines = std::map<std::int64_t, StatementBaseline>;  // by queryid

// The deltas of consecutive history samples with statements, up to `previous` by the standard
// tier's times (the interval being judged is never part of its own baseline), summed per
// queryid. Uses history.memo when there is one.
std::shared_ptr<const StatementBaselines> SummariseStatementHistory(
    const History& history, const model::Snapshot& previous);

// What checks derive from one loaded history. The daemon makes a new one whenever it loads its
// history again; a one-shot check has none.
class HistoryMemo {
 public:
  // The baselines of exactly the samples `included` (oldest first): computed by `compute` the
  // first time, then kept until another set is asked for.
  template <typename Compute>
  std::shared_ptr<const StatementBaselines> Baselines(
      const std::vector<const model::Snapshot*>& included, Compute compute) {
    std::lock_guard lock(mu_);
    if (baselines_ == nullptr || included != included_) {
      baselines_ = std::make_shared<const StatementBaselines>(compute());
      included_ = included;
    }
    return baselines_;
  }

 private:
  std::mutex mu_;
  std::vector<const model::Snapshot*> included_;       // PGV_GUARDED_BY(mu_)
  std::shared_ptr<const StatementBaselines> baselines_;  // PGV_GUARDED_BY(mu_)
};

}  // namespace pgvigil::analysis
