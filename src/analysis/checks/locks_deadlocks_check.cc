// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/locks_deadlocks_check.h"

#include <fmt/format.h>

#include "analysis/database_deltas.h"
#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {

void LocksDeadlocksCheck::Evaluate(const CheckInput& input,
                                   std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  const DatabaseDeltas deltas = MatchDatabases(s, input.previous);
  if (!deltas.comparable || deltas.interval_seconds <= 0) return;
  const auto log_lock_waits = SettingText(s, "log_lock_waits");
  const auto deadlock_timeout = SettingSeconds(s, "deadlock_timeout");
  for (const DatabasePair& p : deltas.pairs) {
    const auto deadlocks = p.Delta(&model::DatabaseStats::deadlocks);
    if (!deadlocks) continue;  // statistics reset in the interval
    const std::string& object = p.now->datname;
    const auto verdict = input.thresholds.Classify("locks.deadlocks", *deadlocks, s.target, object);
    if (verdict.severity == model::Severity::kOk) continue;
    model::Finding f;
    f.id = "locks.deadlocks";
    f.severity = verdict.severity;
    f.object = object;
    f.value = *deadlocks;
    f.threshold = verdict.threshold;
    f.unit = "count";
    f.message =
        fmt::format("{} deadlock{} in database {} in the last {}", *deadlocks,
                    *deadlocks == 1 ? "" : "s", object, FormatDuration(deltas.interval_seconds));
    f.evidence = {fmt::format("pg_stat_database.deadlocks rose from {} to {} in {}",
                              p.before->deadlocks, p.now->deadlocks,
                              FormatDuration(deltas.interval_seconds))};
    if (const auto xacts = p.Delta(&model::DatabaseStats::xact_rollback)) {
      f.evidence.push_back(fmt::format("{} transactions rolled back in the same interval", *xacts));
    }
    if (deadlock_timeout) {
      f.evidence.push_back(fmt::format("deadlock_timeout = {}", FormatDuration(*deadlock_timeout)));
    }
    if (log_lock_waits) f.evidence.push_back("log_lock_waits = " + *log_lock_waits);
    std::string why =
        "Each deadlock aborted one of its transactions; the server log names the statements "
        "and the locks of each. Make transactions that touch the same rows take them in the "
        "same order (sort the keys, or lock with SELECT … FOR UPDATE first), keep them short, "
        "and retry the one that fails.";
    std::string sql;
    if (log_lock_waits && *log_lock_waits != "on") {
      sql = "ALTER SYSTEM SET log_lock_waits = on; SELECT pg_reload_conf();";
      why +=
          " log_lock_waits is off: turning it on logs every lock wait longer than "
          "deadlock_timeout, which shows the contention before it deadlocks.";
    }
    f.recommendation = model::Recommendation{sql, why};
    out.push_back(std::move(f));
  }
}

}  // namespace pgvigil::analysis
