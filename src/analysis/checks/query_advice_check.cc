// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/query_advice_check.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "analysis/plan_advice.h"
#include "analysis/query_text.h"
#include "analysis/snapshot_helpers.h"
#include "analysis/sql_parser.h"
#include "analysis/statement_deltas.h"

namespace pgvigil::analysis {
namespace {

// One statement (every entry of its queryid) as pg_stat_statements counts it since it began.
struct Statement {
  std::int64_t queryid = 0;
  const model::StatementStats* sample = nullptr;  // an entry with text when one has it
  double total_exec_time = 0;                     // ms
  double calls = 0;
  double rows = 0;
};

bool Withheld(const std::string& text) { return text.rfind("<withheld", 0) == 0; }

using Statements = std::map<std::int64_t, Statement>;

Statements Aggregate(const model::Snapshot& s) {
  Statements statements;
  for (const model::StatementStats& e : s.statements) {
    Statement& st = statements[e.queryid];
    st.queryid = e.queryid;
    if (st.sample == nullptr || (!st.sample->query && e.query)) st.sample = &e;
    st.total_exec_time += e.total_exec_time;
    st.calls += static_cast<double>(e.calls);
    st.rows += static_cast<double>(e.rows);
  }
  return statements;
}

std::set<std::int64_t> Chosen(const CheckInput& input, const Statements& statements) {
  const model::Snapshot& s = input.current;

  // The slowest: the top N by total execution time (a ranking, not a rate: the counters since
  // pg_stat_statements began counting are what its texts were fetched by) …
  std::vector<const Statement*> ranked;
  for (const auto& [queryid, st] : statements) ranked.push_back(&st);
  std::stable_sort(ranked.begin(), ranked.end(), [](const Statement* a, const Statement* b) {
    return a->total_exec_time > b->total_exec_time;
  });
  const double top = input.thresholds.Param("query.advice.top_statements", s.target);
  std::set<std::int64_t> chosen;
  for (std::size_t i = 0; i < ranked.size() && static_cast<double>(i) < top; ++i) {
    chosen.insert(ranked[i]->queryid);
  }
  // … and whatever query.slow_statement flags over the last interval.
  if (input.previous != nullptr) {
    const StatementDeltas& deltas = IntervalStatementDeltas(input);
    if (deltas.comparable) {
      for (const auto& [queryid, q] : ByQueryId(deltas.deltas)) {
        const std::string object = fmt::format("queryid {}", queryid);
        if (q.calls <= 0 ||
            q.calls < input.thresholds.Param("query.slow_statement.min_calls", s.target, object)) {
          continue;
        }
        const auto verdict = input.thresholds.Classify(
            "query.slow_statement", q.total_exec_time / q.calls / 1000.0, s.target, object);
        if (verdict.severity != model::Severity::kOk) chosen.insert(queryid);
      }
    }
  }
  return chosen;
}

}  // namespace

void QueryAdviceCheck::Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  if (!HasStatements(s)) return;
  const Statements statements = Aggregate(s);
  const std::set<std::int64_t> chosen = Chosen(input, statements);

  for (const std::int64_t queryid : chosen) {
    const Statement& st = statements.at(queryid);
    if (st.sample == nullptr || !st.sample->query || Withheld(*st.sample->query)) continue;
    const std::string& text = *st.sample->query;
    const std::string object = fmt::format("queryid {}", queryid);
    const SqlFacts facts = ParseSql(text);

    model::Finding f;
    f.id = "query.advice";
    f.severity = model::Severity::kInfo;
    f.object = object;
    f.unit = "count";
    if (!facts.parsed) {
      f.insufficient_data = true;
      f.message = fmt::format(
          "queryid {} was not advised on: PostgreSQL's parser does not read its text: {}", queryid,
          OneLineQuery(text));
      f.evidence = {fmt::format("parse error: {}", facts.error),
                    "no advice: only a text PostgreSQL 15's parser reads is judged"};
      out.push_back(std::move(f));
      continue;
    }

    std::vector<std::string> names;  // one per kind of advice, for the message
    std::vector<std::string> lines;  // one per occurrence, with its why
    if (facts.select_star) {
      names.push_back("SELECT *");
      lines.push_back(
          "SELECT *: the outermost select list reads every column; why: it sends columns the "
          "caller may not use, prevents index-only scans and changes when the table does");
    }
    const double rows_per_call = st.calls > 0 ? st.rows / st.calls : 0;
    const double min_rows =
        input.thresholds.Param("query.advice.min_rows_per_call", s.target, object);
    if (facts.unbounded_read && st.calls > 0 && rows_per_call >= min_rows) {
      names.push_back("unbounded read");
      lines.push_back(fmt::format(
          "unbounded read: the whole of {} with no WHERE and no LIMIT, {} rows per call "
          "(advised from {}); why: every call reads and sends the entire table, which grows with "
          "it: filter or page through it",
          facts.unbounded_table, FormatCount(rows_per_call), FormatCount(min_rows)));
    }
    if (!facts.unconditioned_joins.empty()) {
      names.push_back("join without a condition");
      for (const std::string& j : facts.unconditioned_joins) {
        lines.push_back(fmt::format(
            "join without a condition: {}; why: every row of one side meets every row of the "
            "other (a cross product): add the condition that links them, if one was forgotten",
            j));
      }
    }
    bool leading_wildcard = false;
    for (const LikeFact& like : facts.likes) {
      if (like.parameter) {
        lines.push_back(fmt::format(
            "{}: the pattern is a parameter and cannot be judged from the normalised text; a "
            "pattern starting with '%' would defeat a btree index",
            like.text));
        continue;
      }
      leading_wildcard = true;
      lines.push_back(fmt::format(
          "leading-wildcard LIKE: {}; why: a pattern starting with a wildcard cannot use a "
          "btree index, so every row is read: a trigram index (pg_trgm, GIN) serves it",
          like.text));
    }
    if (leading_wildcard) names.push_back("leading-wildcard LIKE");
    if (!facts.functions_on_columns.empty()) {
      names.push_back("function over a column in WHERE");
      for (const std::string& fn : facts.functions_on_columns) {
        lines.push_back(fmt::format(
            "function over a column in WHERE: {}; why: a plain index on the column cannot serve "
            "the comparison: compare the bare column, or index the expression itself",
            fn));
      }
    }
    if (!facts.not_in_subqueries.empty()) {
      names.push_back("NOT IN (subquery)");
      for (const std::string& n : facts.not_in_subqueries) {
        lines.push_back(fmt::format(
            "NOT IN (subquery): {}; why: it cannot be planned as an anti-join and returns no "
            "rows when the subquery yields a NULL: NOT EXISTS is both faster and what is usually "
            "meant",
            n));
      }
    }
    if (!facts.or_chains.empty()) {
      names.push_back("OR chain");
      for (const OrChainFact& c : facts.or_chains) {
        lines.push_back(fmt::format(
            "OR chain: {} compared with = {} times joined by OR; why: {} IN (…) or = ANY($1) is "
            "one indexable condition and one parameter however many values there are",
            c.column, c.comparisons, c.column));
      }
    }
    if (names.empty()) continue;

    f.value = static_cast<double>(names.size());
    f.message =
        fmt::format("queryid {}: {} piece{} of advice: {}: {}", queryid, names.size(),
                    names.size() == 1 ? "" : "s", fmt::join(names, ", "), OneLineQuery(text));
    f.evidence.push_back(fmt::format(
        "{} in total over {} calls since pg_stat_statements began counting it{}",
        FormatDuration(st.total_exec_time / 1000.0), FormatCount(st.calls),
        facts.fingerprint.empty() ? "" : fmt::format("; fingerprint {}", facts.fingerprint)));
    f.evidence.insert(f.evidence.end(), lines.begin(), lines.end());
    f.recommendation = model::Recommendation{
        "",
        "Advice from the statement's text alone: confirm with EXPLAIN (ANALYZE, BUFFERS) and "
        "typical parameters before rewriting it; no rewrite is suggested, since one cannot be "
        "made safely from a normalised text."};
    out.push_back(std::move(f));
  }
}

std::vector<StatementToExplain> StatementsToExplain(const CheckInput& input) {
  std::vector<StatementToExplain> out;
  if (!HasStatements(input.current)) return out;
  const Statements statements = Aggregate(input.current);
  for (const std::int64_t queryid : Chosen(input, statements)) {
    const Statement& st = statements.at(queryid);
    if (st.sample == nullptr || !st.sample->query || Withheld(*st.sample->query)) continue;
    // pgvigil's own statements are not the application's to tune.
    if (st.sample->query->find("/* pgvigil */") != std::string::npos) continue;
    const SqlFacts facts = ParseSql(*st.sample->query);
    if (!facts.parsed || !facts.is_plain_select) continue;
    out.push_back({queryid, st.sample->datname, *st.sample->query, facts.parameters,
                   st.calls > 0 ? std::optional<double>(st.rows / st.calls) : std::nullopt});
  }
  return out;
}

void AddPlanAdvice(std::vector<model::Finding>& findings, const CheckInput& input,
                   std::span<const model::QueryPlan> plans, const std::string& unexplained) {
  if (!unexplained.empty()) {
    for (model::Finding& f : findings) {
      if (f.id == "query.advice") f.evidence.push_back("--explain: " + unexplained);
    }
    return;
  }
  const std::vector<StatementToExplain> statements = StatementsToExplain(input);
  for (const model::QueryPlan& plan : plans) {
    if (!plan.error.empty()) {
      for (model::Finding& f : findings) {
        if (f.id == "query.advice" && f.object == fmt::format("queryid {}", plan.queryid)) {
          f.evidence.push_back("--explain: no plan: " + plan.error);
        }
      }
      continue;
    }
    auto st = std::find_if(statements.begin(), statements.end(),
                           [&](const StatementToExplain& s) { return s.queryid == plan.queryid; });
    const PlanAdvice advice =
        AdviseOnPlan(plan, input.current, input.thresholds,
                     st == statements.end() ? std::nullopt : st->rows_per_call);
    if (advice.names.empty()) continue;
    const std::string object = fmt::format("queryid {}", plan.queryid);
    auto f = std::find_if(findings.begin(), findings.end(), [&](const model::Finding& x) {
      return x.id == "query.advice" && x.object == object && !x.insufficient_data;
    });
    if (f == findings.end()) {
      model::Finding n;
      n.id = "query.advice";
      n.severity = model::Severity::kInfo;
      n.object = object;
      n.unit = "count";
      n.value = 0;
      n.message = fmt::format("queryid {}: 0 pieces of advice: : {}", plan.queryid,
                              st == statements.end() ? "" : OneLineQuery(st->query));
      n.recommendation = model::Recommendation{
          "",
          "Advice from the statement's generic plan (estimates, no parameter values): confirm "
          "with EXPLAIN (ANALYZE, BUFFERS) and typical parameters before changing anything."};
      findings.push_back(std::move(n));
      f = findings.end() - 1;
    }
    const int before = static_cast<int>(f->value.value_or(0));
    const int total = before + static_cast<int>(advice.names.size());
    // The message lists the kinds: "queryid N: K pieces of advice: a, b: text".
    const std::string head = fmt::format("queryid {}: {} piece{} of advice: ", plan.queryid, before,
                                         before == 1 ? "" : "s");
    std::string rest = f->message.rfind(head, 0) == 0 ? f->message.substr(head.size()) : "";
    const std::size_t colon = rest.find(": ");
    const std::string kinds = colon == std::string::npos ? "" : rest.substr(0, colon);
    const std::string text = colon == std::string::npos ? rest : rest.substr(colon + 2);
    f->message = fmt::format("queryid {}: {} piece{} of advice: {}{}{}: {}", plan.queryid, total,
                             total == 1 ? "" : "s", kinds, kinds.empty() ? "" : ", ",
                             fmt::join(advice.names, ", "), text);
    f->value = static_cast<double>(total);
    f->evidence.insert(f->evidence.end(), advice.lines.begin(), advice.lines.end());
  }
}

}  // namespace pgvigil::analysis
