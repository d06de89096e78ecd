// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/table_analyze_overdue_check.h"

#include <algorithm>

#include <fmt/format.h>

#include "analysis/autovacuum_formula.h"
#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
void TableAnalyzeOverdueCheck::Evaluate(const CheckInput& input,
                                        std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  if (!Collected(s, "stat_user_tables") || !Collected(s, "settings")) return;
  // Ages as of the read of pg_stat_user_tables (slow tier), the same moment as n_mod_since_analyze.
  const common::Timestamp read_at = model::CollectedAt(s, model::kSlowTier);
  for (const model::TableStats& t : s.tables) {
    // Autovacuum never analyses a partitioned table (only its partitions): that one needs a
    // manual ANALYZE, which is a different advice from "overdue".
    if (t.relkind == "p") continue;
    const std::string object = RelationObject(t.datname, t.schemaname, t.relname);
    const double min_modified =
        input.thresholds.Param("table.analyze_overdue.min_modified", s.target, object);
    if (static_cast<double>(t.n_mod_since_analyze) < min_modified) continue;
    const auto trigger = ComputeAutovacuumTrigger(s, t, AutovacuumTriggerKind::kAnalyze);
    if (!trigger) continue;
    const double ratio =
        static_cast<double>(t.n_mod_since_analyze) / std::max(trigger->trigger, 1.0);
    const auto verdict =
        input.thresholds.Classify("table.analyze_overdue", ratio, s.target, object);
    if (verdict.severity == model::Severity::kOk) continue;

    const std::string disabled = AutovacuumDisabledReason(s, t);
    const auto last_analyze = Latest(t.last_autoanalyze, t.last_analyze);
    model::Finding f;
    f.id = "table.analyze_overdue";
    f.severity = verdict.severity;
    f.object = object;
    f.value = ratio;
    f.threshold = verdict.threshold;
    f.unit = "ratio";
    f.message = fmt::format(
        "{} has {} rows modified since its last ANALYZE, {:.1f}× the {} that should start "
        "autoanalyze; {}{}",
        object, FormatCount(static_cast<double>(t.n_mod_since_analyze)), ratio,
        FormatCount(trigger->trigger),
        last_analyze ? "last analysed " + AgoText(read_at, last_analyze) : "never analysed",
        disabled.empty() ? "" : "; autoanalyze will not run on it: " + disabled);
    f.evidence.push_back(fmt::format("n_mod_since_analyze = {}, n_live_tup = {}",
                                     t.n_mod_since_analyze, t.n_live_tup));
    f.evidence.push_back("autoanalyze trigger: " + trigger->Formula());
    f.evidence.push_back(fmt::format("last autoanalyze {}, last manual analyze {}",
                                     AgoText(read_at, t.last_autoanalyze),
                                     AgoText(read_at, t.last_analyze)));
    f.evidence.push_back(fmt::format("autoanalyze_count = {}, analyze_count = {}",
                                     t.autoanalyze_count, t.analyze_count));
    if (!disabled.empty()) f.evidence.push_back("autovacuum disabled: " + disabled);

    const std::string table = QuoteQualified(t.schemaname, t.relname);
    std::string why =
        "The planner estimates rows from statistics that no longer match the table, which leads "
        "to bad plans; ANALYZE samples the table and takes only a light lock.";
    if (t.reloptions.autovacuum_enabled == false) {
      why += fmt::format(
          " Let autovacuum look after the table again: ALTER TABLE {} RESET "
          "(autovacuum_enabled);",
          table);
    } else if (disabled.empty()) {
      why += fmt::format(
          " Autoanalyze is falling behind on it (busy autovacuum workers); for a large table "
          "whose distribution shifts quickly a smaller per-table scale factor helps: ALTER "
          "TABLE {} SET (autovacuum_analyze_scale_factor = 0.02);",
          table);
    } else {
      why += " Autovacuum, which also runs autoanalyze, is off on the server.";
    }
    f.recommendation = model::Recommendation{fmt::format("ANALYZE {};", table), why};
    out.push_back(std::move(f));
  }
}

}  // namespace pgvigil::analysis
