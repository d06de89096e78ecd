// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/table_vacuum_overdue_check.h"

#include <algorithm>

#include <fmt/format.h>

#include "analysis/autovacuum_formula.h"
#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
void TableVacuumOverdueCheck::Evaluate(const CheckInput& input,
                                       std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  // Without the tables there is nothing to judge; without the settings the formula would be a
  // guess (managed services change the defaults).
  if (!Collected(s, "stat_user_tables") || !Collected(s, "settings")) return;
  // Ages as of the read of pg_stat_user_tables (slow tier), the same moment as n_dead_tup.
  const common::Timestamp read_at = model::CollectedAt(s, model::kSlowTier);
  for (const model::TableStats& t : s.tables) {
    if (t.relkind == "p") continue;  // a partitioned table has no storage: its partitions do
    const std::string object = RelationObject(t.datname, t.schemaname, t.relname);
    const double min_dead =
        input.thresholds.Param("table.vacuum_overdue.min_dead_tuples", s.target, object);
    if (static_cast<double>(t.n_dead_tup) < min_dead) continue;
    const auto trigger = ComputeAutovacuumTrigger(s, t, AutovacuumTriggerKind::kVacuum);
    if (!trigger) continue;
    const double ratio = static_cast<double>(t.n_dead_tup) / std::max(trigger->trigger, 1.0);
    const auto verdict = input.thresholds.Classify("table.vacuum_overdue", ratio, s.target, object);
    if (verdict.severity == model::Severity::kOk) continue;

    const std::string disabled = AutovacuumDisabledReason(s, t);
    const auto last_vacuum = Latest(t.last_autovacuum, t.last_vacuum);
    model::Finding f;
    f.id = "table.vacuum_overdue";
    f.severity = verdict.severity;
    f.object = object;
    f.value = ratio;
    f.threshold = verdict.threshold;
    f.unit = "ratio";
    f.message = fmt::format(
        "{} has {} dead tuples, {:.1f}× the {} that should start autovacuum; {}{}", object,
        FormatCount(static_cast<double>(t.n_dead_tup)), ratio, FormatCount(trigger->trigger),
        last_vacuum ? "last vacuumed " + AgoText(read_at, last_vacuum) : "never vacuumed",
        disabled.empty() ? "" : "; autovacuum will not run on it: " + disabled);
    f.evidence.push_back(
        fmt::format("n_dead_tup = {}, n_live_tup = {}", t.n_dead_tup, t.n_live_tup));
    f.evidence.push_back("autovacuum vacuum trigger: " + trigger->Formula());
    if (const auto insert = ComputeAutovacuumTrigger(s, t, AutovacuumTriggerKind::kInsert)) {
      f.evidence.push_back(fmt::format(
          "insert-driven trigger: n_ins_since_vacuum = {} vs {} ({})", t.n_ins_since_vacuum,
          insert->Formula(),
          static_cast<double>(t.n_ins_since_vacuum) > insert->trigger ? "reached" : "not reached"));
    }
    f.evidence.push_back(fmt::format("last autovacuum {}, last manual vacuum {}",
                                     AgoText(read_at, t.last_autovacuum),
                                     AgoText(read_at, t.last_vacuum)));
    f.evidence.push_back(fmt::format("autovacuum_count = {}, vacuum_count = {}", t.autovacuum_count,
                                     t.vacuum_count));
    if (!disabled.empty()) f.evidence.push_back("autovacuum disabled: " + disabled);

    const std::string table = QuoteQualified(t.schemaname, t.relname);
    std::string why =
        "Dead tuples take space and slow scans until VACUUM removes them; VACUUM (ANALYZE) does "
        "it now and refreshes the planner statistics, without blocking reads or writes.";
    if (t.reloptions.autovacuum_enabled == false) {
      why += fmt::format(
          " Let autovacuum look after the table again: ALTER TABLE {} RESET "
          "(autovacuum_enabled);",
          table);
    } else if (disabled.empty()) {
      why += fmt::format(
          " Autovacuum is falling behind on it: check that its workers are not all busy "
          "(autovacuum_max_workers) or throttled (autovacuum_vacuum_cost_limit), and that no "
          "old transaction or slot holds back the xmin horizon (wraparound.xmin_horizon); for a "
          "large, busy table a smaller per-table scale factor helps: ALTER TABLE {} SET "
          "(autovacuum_vacuum_scale_factor = 0.02);",
          table);
    } else {
      why += " Autovacuum is off on the server: turn it back on (settings.autovacuum_off).";
    }
    f.recommendation = model::Recommendation{fmt::format("VACUUM (ANALYZE) {};", table), why};
    out.push_back(std::move(f));
  }
}

}  // namespace pgvigil::analysis
