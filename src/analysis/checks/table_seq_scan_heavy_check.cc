// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/table_seq_scan_heavy_check.h"

#include <algorithm>
#include <cctype>
#include <map>

#include <fmt/format.h>

#include "analysis/query_text.h"
#include "analysis/snapshot_helpers.h"
#include "analysis/sql_parser.h"
#include "analysis/statement_deltas.h"

namespace pgvigil::analysis {
namespace {

// How many statements the evidence names per table.
constexpr size_t kStatementsShown = 3;

bool IsIdentifierChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

const model::TableStats* FindTable(const model::Snapshot& s, const model::TableStats& like) {
  for (const model::TableStats& t : s.tables) {
    if (t.datname == like.datname && t.relid == like.relid) return &t;
  }
  return nullptr;
}

// A statement that mentions the table, with what it did (in the interval, or since reset).
struct Mention {
  std::int64_t queryid = 0;
  double calls = 0;
  double total_ms = 0;
  std::string text;       // one line, shortened, for the evidence
  std::string full_text;  // as pg_stat_statements has it
};

struct Statements {
  bool available = false;  // the part was collected
  bool per_interval = false;
  std::vector<const model::StatementStats*> all;
  std::map<std::int64_t, QueryDelta> deltas;
};

Statements LoadStatements(const CheckInput& input) {
  Statements st;
  const model::Snapshot& s = input.current;
  if (!HasStatements(s)) return st;
  st.available = true;
  for (const model::StatementStats& e : s.statements) st.all.push_back(&e);
  if (input.previous != nullptr && HasStatements(*input.previous)) {
    const StatementDeltas& d = IntervalStatementDeltas(input);
    if (d.comparable) {
      st.per_interval = true;
      st.deltas = ByQueryId(d.deltas);
    }
  }
  return st;
}

std::vector<Mention> Mentions(const Statements& st, const model::TableStats& t, int* without_text) {
  std::map<std::int64_t, Mention> by_id;
  *without_text = 0;
  for (const model::StatementStats* e : st.all) {
    if (e->datname != t.datname) continue;
    if (!e->query) {
      ++*without_text;
      continue;
    }
    if (!QueryMentionsTable(*e->query, t.relname)) continue;
    Mention& m = by_id[e->queryid];
    m.queryid = e->queryid;
    m.text = OneLineQuery(*e->query);
    m.full_text = *e->query;
    if (st.per_interval) continue;
    m.calls += static_cast<double>(e->calls);
    m.total_ms += e->total_exec_time;
  }
  std::vector<Mention> out;
  for (auto& [queryid, m] : by_id) {
    if (st.per_interval) {
      auto d = st.deltas.find(queryid);
      if (d == st.deltas.end()) continue;
      m.calls = d->second.calls;
      m.total_ms = d->second.total_exec_time;
      if (m.calls <= 0) continue;  // did not run in the interval
    }
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(),
            [](const Mention& a, const Mention& b) { return a.total_ms > b.total_ms; });
  return out;
}

// The columns of `t` the statement compares with values in its WHERE, as an index would want
// them: equality columns first, then one range column; empty when it names none.
constexpr size_t kMaxCandidateColumns = 3;

std::optional<model::IndexCandidate> CandidateFrom(const Mention& m, const std::string& query,
                                                   const model::TableStats& t,
                                                   const std::string& object) {
  const SqlFacts facts = ParseSql(query);
  if (!facts.parsed || !facts.is_plain_select) return std::nullopt;
  std::vector<std::string> equality;
  std::vector<std::string> range;
  for (const ColumnFilter& c : facts.filters) {
    if (c.relname != t.relname || (!c.schemaname.empty() && c.schemaname != t.schemaname)) {
      continue;
    }
    std::vector<std::string>& list = c.equality ? equality : range;
    if (std::find(list.begin(), list.end(), c.column) == list.end()) list.push_back(c.column);
  }
  if (equality.size() > kMaxCandidateColumns) equality.resize(kMaxCandidateColumns);
  for (const std::string& r : range) {
    if (equality.size() >= kMaxCandidateColumns) break;
    if (std::find(equality.begin(), equality.end(), r) == equality.end()) {
      equality.push_back(r);
      break;
    }
  }
  if (equality.empty()) return std::nullopt;
  model::IndexCandidate c;
  c.object = object;
  c.datname = t.datname;
  c.schemaname = t.schemaname;
  c.relname = t.relname;
  c.columns = std::move(equality);
  c.queryid = m.queryid;
  c.query = query;
  c.parameters = facts.parameters;
  return c;
}

std::string ColumnList(const std::vector<std::string>& columns) {
  std::string out;
  for (const std::string& c : columns) {
    if (!out.empty()) out += ", ";
    out += c;
  }
  return out;
}

void EvaluateTables(const CheckInput& input, std::vector<model::Finding>& out,
                    std::vector<model::IndexCandidate>& candidates);

}  // namespace

void TableSeqScanHeavyCheck::Evaluate(const CheckInput& input,
                                      std::vector<model::Finding>& out) const {
  std::vector<model::IndexCandidate> candidates;
  EvaluateTables(input, out, candidates);
}

std::vector<model::IndexCandidate> SeqScanIndexCandidates(const CheckInput& input) {
  std::vector<model::Finding> findings;
  std::vector<model::IndexCandidate> candidates;
  EvaluateTables(input, findings, candidates);
  return candidates;
}

bool QueryMentionsTable(std::string_view query, std::string_view relname) {
  if (relname.empty() || query.size() < relname.size()) return false;
  for (size_t at = 0; at + relname.size() <= query.size(); ++at) {
    bool equal = true;
    for (size_t n = 0; n < relname.size() && equal; ++n) {
      equal = Lower(query[at + n]) == Lower(relname[n]);
    }
    if (!equal) continue;
    const size_t end = at + relname.size();
    const bool starts = at == 0 || !IsIdentifierChar(query[at - 1]);
    const bool ends = end == query.size() || !IsIdentifierChar(query[end]);
    if (starts && ends) return true;
  }
  return false;
}

namespace {

void EvaluateTables(const CheckInput& input, std::vector<model::Finding>& out,
                    std::vector<model::IndexCandidate>& candidates) {
  const model::Snapshot& s = input.current;
  if (!Collected(s, "stat_user_tables")) return;
  const model::Snapshot* previous = input.previous != nullptr &&
                                            Collected(*input.previous, "stat_user_tables") &&
                                            CountersComparable(s, *input.previous, model::kSlowTier)
                                        ? input.previous
                                        : nullptr;
  const double interval = previous != nullptr ? IntervalSeconds(s, *previous, model::kSlowTier) : 0;
  std::optional<Statements> statements;  // loaded for the first table that needs them

  for (const model::TableStats& t : s.tables) {
    if (t.relkind == "p") continue;  // partitioned: its partitions are scanned, not it
    const std::string object = RelationObject(t.datname, t.schemaname, t.relname);
    const double min_rows =
        input.thresholds.Param("table.seq_scan_heavy.min_rows", s.target, object);
    if (static_cast<double>(t.n_live_tup) < min_rows) continue;

    double seq = static_cast<double>(t.seq_scan);
    double idx = static_cast<double>(t.idx_scan.value_or(0));
    double seq_tup = static_cast<double>(t.seq_tup_read);
    std::string window = "since the statistics reset (no earlier sample to compare with)";
    if (const model::TableStats* before = previous != nullptr ? FindTable(*previous, t) : nullptr) {
      const auto dseq = CounterDelta(seq, static_cast<double>(before->seq_scan));
      const auto didx = CounterDelta(idx, static_cast<double>(before->idx_scan.value_or(0)));
      const auto dtup = CounterDelta(seq_tup, static_cast<double>(before->seq_tup_read));
      if (dseq && didx && dtup) {
        seq = *dseq;
        idx = *didx;
        seq_tup = *dtup;
        window = fmt::format("over the last {}", FormatDuration(interval));
      } else {
        window = "since the statistics reset between the two samples (the counters went back)";
      }
    }
    const double scans = seq + idx;
    const double min_scans =
        input.thresholds.Param("table.seq_scan_heavy.min_scans", s.target, object);
    if (scans < min_scans || scans <= 0) continue;  // too few scans to call it a habit
    const double ratio = seq / scans;
    const auto verdict = input.thresholds.Classify("table.seq_scan_heavy", ratio, s.target, object);
    if (verdict.severity == model::Severity::kOk) continue;

    model::Finding f;
    f.id = "table.seq_scan_heavy";
    f.severity = model::Severity::kInfo;
    f.object = object;
    f.value = ratio;
    f.threshold = verdict.threshold;
    f.unit = "ratio";
    f.message = fmt::format(
        "{} of the scans of {} ({} rows) are sequential {}: {} sequential, {} "
        "index",
        FormatPercent(ratio), t.relname, FormatCount(static_cast<double>(t.n_live_tup)), window,
        FormatCount(seq), FormatCount(idx));
    f.evidence.push_back(fmt::format("pg_stat_user_tables: {} sequential and {} index scans {}",
                                     FormatCount(seq), FormatCount(idx), window));
    if (seq > 0) {
      f.evidence.push_back(
          fmt::format("{} rows read per sequential scan (seq_tup_read / "
                      "seq_scan); n_live_tup {}, about {}",
                      FormatCount(seq_tup / seq), FormatCount(static_cast<double>(t.n_live_tup)),
                      FormatBytes(static_cast<double>(t.estimated_size_bytes))));
    }
    if (!t.idx_scan.has_value()) f.evidence.push_back("the table has no index at all");

    if (!statements) statements = LoadStatements(input);
    if (!statements->available) {
      f.evidence.push_back("pg_stat_statements not collected: the statements cannot be named");
    } else {
      int without_text = 0;
      const std::vector<Mention> mentions = Mentions(*statements, t, &without_text);
      const std::string span =
          statements->per_interval ? "in the interval" : "since pg_stat_statements was reset";
      for (size_t n = 0; n < mentions.size() && n < kStatementsShown; ++n) {
        const Mention& m = mentions[n];
        f.evidence.push_back(fmt::format("queryid {} ({} calls, {} in total {}): {}", m.queryid,
                                         FormatCount(m.calls), FormatDuration(m.total_ms / 1000.0),
                                         span, m.text));
      }
      if (mentions.size() > kStatementsShown) {
        f.evidence.push_back(
            fmt::format("{} more statements mention it", mentions.size() - kStatementsShown));
      }
      std::optional<model::IndexCandidate> candidate;
      for (size_t n = 0; n < mentions.size() && n < kStatementsShown && !candidate; ++n) {
        candidate = CandidateFrom(mentions[n], mentions[n].full_text, t, object);
      }
      if (candidate) {
        f.evidence.push_back(fmt::format(
            "candidate index on {} ({}): the columns queryid {} compares with values in its "
            "WHERE",
            t.relname, ColumnList(candidate->columns), candidate->queryid));
        candidates.push_back(std::move(*candidate));
      }
      if (mentions.empty()) {
        f.evidence.push_back(fmt::format(
            "no statement text mentions it; no text available for {} statements of database {} "
            "(texts are fetched only for the top statements)",
            without_text, t.datname));
      }
    }
    f.recommendation = model::Recommendation{
        "",
        fmt::format("Run EXPLAIN (ANALYZE, BUFFERS) on the statements that read {}: a sequential "
                    "scan of {} rows for a query that keeps few of them wants an index on the "
                    "columns of its WHERE or JOIN (create it with CREATE INDEX CONCURRENTLY; "
                    "hypopg can try it first without building it). A query that needs most of "
                    "the table is right to scan it: then raise table.seq_scan_heavy for this "
                    "table.",
                    t.relname, FormatCount(static_cast<double>(t.n_live_tup)))};
    out.push_back(std::move(f));
  }
}

}  // namespace

}  // namespace pgvigil::analysis
