// SPDX-License-Identifier: Apache-2.0
#include "analysis/plan_advice.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
namespace {

// Bytes a sorted or hashed row takes beyond its width: the tuple header and the sort's or hash
// table's per-entry bookkeeping, roughly as the executor counts them against work_mem.
constexpr double kSortRowOverhead = 24 + 16;
constexpr double kHashRowOverhead = 24 + 24;
// A nested loop is judged only when the estimate misses what the statement returns by this
// factor and this many rows.
constexpr double kEstimateMissFactor = 10;
constexpr double kEstimateMissMinRows = 1000;

struct Context {
  Context(const model::Snapshot& s, std::string d) : snapshot(s), datname(std::move(d)) {}
  const model::Snapshot& snapshot;
  std::string datname;
  double large_rows = 0;
  std::optional<double> work_mem;  // bytes
  double hash_mem_multiplier = 1;
  bool under_limit = false;  // a Limit above: a sort may be a bounded top-N heapsort
  bool seq_scan = false;
  bool spill = false;
  bool nested_loop = false;
  std::vector<std::string> lines;
};

std::optional<double> TableRows(const Context& c, const model::PlanNode& n) {
  std::optional<double> rows;
  for (const model::TableStats& t : c.snapshot.tables) {
    if (t.datname != c.datname || t.relname != n.relation_name) continue;
    if (!n.schema.empty() && t.schemaname != n.schema) continue;
    rows = std::max(rows.value_or(0), static_cast<double>(t.n_live_tup));
  }
  return rows;
}

void Walk(Context& c, const model::PlanNode& n, bool under_limit) {
  if (n.node_type == "Seq Scan" && !n.relation_name.empty()) {
    const std::optional<double> rows = TableRows(c, n);
    if (rows && *rows >= c.large_rows) {
      c.seq_scan = true;
      c.lines.push_back(fmt::format(
          "plan: Seq Scan on {} ({} rows in the table, {} estimated to pass its filter, cost "
          "{:.0f}); why: every call reads the whole table: an index on the columns of its "
          "condition serves a selective one (table.seq_scan_heavy names a candidate)",
          n.relation_name, FormatCount(*rows), FormatCount(n.plan_rows), n.total_cost));
    }
  }
  const bool sort = n.node_type == "Sort" || n.node_type == "Incremental Sort";
  const bool hash = n.node_type == "Hash";
  if ((sort || hash) && c.work_mem && !(sort && under_limit)) {
    // A Sort's rows are its input's; a Hash node's rows are the inner side it loads.
    const double bytes =
        n.plan_rows * (n.plan_width + (sort ? kSortRowOverhead : kHashRowOverhead));
    const double limit = *c.work_mem * (hash ? c.hash_mem_multiplier : 1);
    if (bytes > limit) {
      c.spill = true;
      c.lines.push_back(fmt::format(
          "plan: {} of about {} rows × {:.0f} bytes ≈ {} (estimated), above {} ({}); why: "
          "what does not fit in memory goes to temp files: raise work_mem for this statement "
          "(SET LOCAL) or make it {} fewer rows",
          n.node_type, FormatCount(n.plan_rows), n.plan_width, FormatBytes(bytes),
          hash ? "work_mem × hash_mem_multiplier" : "work_mem", FormatBytes(limit),
          hash ? "hash" : "sort"));
    }
  }
  const bool limit = n.node_type == "Limit";
  for (const model::PlanNode& child : n.plans) Walk(c, child, limit || (under_limit && !sort));
  if (n.node_type == "Nested Loop") c.nested_loop = true;
}

}  // namespace

PlanAdvice AdviseOnPlan(const model::QueryPlan& plan, const model::Snapshot& snapshot,
                        const Thresholds& thresholds, std::optional<double> rows_per_call) {
  Context c(snapshot, plan.datname);
  c.large_rows = thresholds.Param("table.seq_scan_heavy.min_rows", snapshot.target);
  c.work_mem = SettingBytes(snapshot, "work_mem");
  c.hash_mem_multiplier = SettingNumber(snapshot, "hash_mem_multiplier").value_or(1);
  Walk(c, plan.root, false);

  PlanAdvice out;
  if (c.seq_scan) out.names.push_back("sequential scan of a large table");
  if (c.spill) out.names.push_back("sort or hash larger than work_mem");
  out.lines = std::move(c.lines);
  // Without ANALYZE there are no actual rows; pg_stat_statements' rows per call stand in.
  const double estimated = plan.root.plan_rows;
  if (c.nested_loop && rows_per_call && *rows_per_call >= kEstimateMissMinRows &&
      *rows_per_call >= estimated * kEstimateMissFactor) {
    out.names.push_back("nested loop on a row-estimate miss");
    out.lines.push_back(fmt::format(
        "plan: Nested Loop in a plan estimated to return {} rows, while pg_stat_statements "
        "measured {} rows per call; why: a nested loop is chosen for few outer rows and "
        "repeats its inner side for each: with {:.0f}× more rows, ANALYZE the tables (or "
        "extended statistics on correlated columns) so that the planner sees them",
        FormatCount(estimated), FormatCount(*rows_per_call),
        *rows_per_call / std::max(estimated, 1.0)));
  }
  return out;
}

bool PlanUsesIndex(const model::PlanNode& node, std::string_view index_name) {
  if (!index_name.empty() && node.index_name == index_name) return true;
  return std::any_of(node.plans.begin(), node.plans.end(),
                     [&](const model::PlanNode& n) { return PlanUsesIndex(n, index_name); });
}

}  // namespace pgvigil::analysis
