// SPDX-License-Identifier: Apache-2.0
#include "analysis/statement_deltas.h"

#include <memory>
#include <optional>
#include <tuple>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
namespace {

using Key = std::tuple<std::uint32_t, std::uint32_t, std::int64_t, std::optional<bool>>;

Key KeyOf(const model::StatementStats& s) { return {s.userid, s.dbid, s.queryid, s.toplevel}; }

// Fills `d` with now − before (before = nullptr: counted from zero); false when a counter went
// backwards, which only a reset or an unseen eviction explains.
bool Subtract(const model::StatementStats& now, const model::StatementStats* before,
              StatementDelta& d) {
  auto delta = [&](double n, double b, double& into) {
    const auto v = CounterDelta(n, b);
    if (!v) return false;
    into = *v;
    return true;
  };
  const model::StatementStats zero;
  const model::StatementStats& b = before == nullptr ? zero : *before;
  return delta(static_cast<double>(now.calls), static_cast<double>(b.calls), d.calls) &&
         delta(now.total_exec_time, b.total_exec_time, d.total_exec_time) &&
         delta(static_cast<double>(now.rows), static_cast<double>(b.rows), d.rows) &&
         delta(static_cast<double>(now.shared_blks_hit), static_cast<double>(b.shared_blks_hit),
               d.shared_blks_hit) &&
         delta(static_cast<double>(now.shared_blks_read), static_cast<double>(b.shared_blks_read),
               d.shared_blks_read) &&
         delta(static_cast<double>(now.temp_blks_written), static_cast<double>(b.temp_blks_written),
               d.temp_blks_written);
}

}  // namespace

bool HasStatements(const model::Snapshot& s) {
  const model::CollectorOutcome* o = s.FindOutcome("stat_statements");
  return o != nullptr && o->status == model::CollectorStatus::kOk;
}

StatementDeltas ComputeStatementDeltas(const model::Snapshot& current,
                                       const model::Snapshot& previous) {
  StatementDeltas out;
  if (!HasStatements(current) || !HasStatements(previous)) {
    out.why_not = "pg_stat_statements was not collected in both samples";
    return out;
  }
  if (!CountersComparable(current, previous, model::kStandardTier)) {
    out.why_not = "the server restarted between the samples";
    return out;
  }
  out.comparable = true;
  out.interval_seconds = IntervalSeconds(current, previous, model::kStandardTier);

  // pg_stat_statements_info (1.9+) tells resets and evictions apart; with 1.8 neither shows,
  // and a counter going backwards is all there is to go by.
  const bool has_info = current.statements_info && previous.statements_info;
  bool dealloc_moved = false;
  if (has_info) {
    out.stats_reset_in_interval =
        current.statements_info->stats_reset != previous.statements_info->stats_reset;
    if (out.stats_reset_in_interval) {
      out.evicted = current.statements_info->dealloc;  // dealloc restarts with the reset
    } else {
      out.evicted = current.statements_info->dealloc - previous.statements_info->dealloc;
      dealloc_moved = out.evicted != 0;
    }
  }
  // Without pg_read_all_stats other roles' statements are hidden; if that changed, an entry
  // absent before may simply have been invisible, not new.
  const bool same_visibility =
      current.server.has_read_all_stats == previous.server.has_read_all_stats &&
      current.server.is_superuser == previous.server.is_superuser &&
      current.server.current_user == previous.server.current_user;

  std::map<Key, const model::StatementStats*> before;
  for (const model::StatementStats& s : previous.statements) before.emplace(KeyOf(s), &s);

  for (const model::StatementStats& s : current.statements) {
    StatementDelta d;
    d.now = &s;
    const model::StatementStats* base = nullptr;
    if (out.stats_reset_in_interval) {
      // Every entry was dropped by the reset, after the previous sample was read: all that the
      // counters hold happened in the interval.
      d.from_zero = true;
    } else if (const auto it = before.find(KeyOf(s)); it != before.end()) {
      const model::StatementStats& p = *it->second;
      if (s.stats_since && p.stats_since) {
        // 1.11+: a moved stats_since is an entry re-created (evicted or reset) after the
        // previous read, so its counters lie wholly inside the interval.
        d.from_zero = *s.stats_since != *p.stats_since;
        if (!d.from_zero) base = &p;
      } else if (dealloc_moved) {
        // It may have been evicted and re-created since: its delta would mix two lives.
        ++out.not_comparable;
        continue;
      } else {
        base = &p;
      }
    } else if (same_visibility) {
      // Absent from the previous read, so created after it.
      d.from_zero = true;
    } else {
      continue;
    }
    if (!Subtract(s, base, d)) {
      ++out.not_comparable;
      continue;
    }
    if (d.calls <= 0) continue;
    out.deltas.push_back(d);
  }
  return out;
}

std::map<std::int64_t, QueryDelta> ByQueryId(const std::vector<StatementDelta>& deltas) {
  std::map<std::int64_t, QueryDelta> out;
  for (const StatementDelta& d : deltas) {
    QueryDelta& q = out[d.now->queryid];
    q.queryid = d.now->queryid;
    q.entries.push_back(d.now);
    if (q.sample == nullptr || (!q.sample->query && d.now->query)) q.sample = d.now;
    q.calls += d.calls;
    q.total_exec_time += d.total_exec_time;
    q.rows += d.rows;
    q.shared_blks_hit += d.shared_blks_hit;
    q.shared_blks_read += d.shared_blks_read;
    q.temp_blks_written += d.temp_blks_written;
  }
  return out;
}

const StatementDeltas& IntervalStatementDeltas(const CheckInput& input) {
  if (input.statement_deltas == nullptr) {
    input.statement_deltas = std::make_shared<const StatementDeltas>(
        ComputeStatementDeltas(input.current, *input.previous));
  }
  return *input.statement_deltas;
}

}  // namespace pgvigil::analysis
