// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/index_invalid_check.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool IsIdentifierChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Whether `word` occurs in `text` as a whole identifier (lower case both).
bool ContainsWord(std::string_view text, std::string_view word) {
  if (word.empty()) return false;
  for (size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    const bool starts = at == 0 || !IsIdentifierChar(text[at - 1]);
    const size_t end = at + word.size();
    const bool ends = end == text.size() || !IsIdentifierChar(text[end]);
    if (starts && ends) return true;
  }
  return false;
}

// The backend building this index right now, if one is: its query names the index (or, for
// REINDEX TABLE / SCHEMA / DATABASE, the table) and says CONCURRENTLY.
// pg_stat_progress_create_index would say it exactly; the query text is what the snapshot holds.
const model::Backend* Builder(const model::Snapshot& s, const model::IndexStats& idx) {
  const std::string index = Lower(idx.indexrelname);
  const std::string table = Lower(idx.relname);
  // REINDEX CONCURRENTLY's transient copy is named <index>_ccnew[N].
  const std::string base = index.substr(0, index.rfind("_ccnew"));
  for (const model::Backend& b : s.activity) {
    if (b.state != "active") continue;
    const std::string q = Lower(b.query);
    if (q.find("concurrently") == std::string::npos) continue;
    if ((ContainsWord(q, "create") && ContainsWord(q, index)) ||
        (ContainsWord(q, "reindex") && (ContainsWord(q, base) || ContainsWord(q, table)))) {
      return &b;
    }
  }
  return nullptr;
}

// REINDEX CONCURRENTLY names its transient index <name>_ccnew (or _ccnew1, …) and the old one
// <name>_ccold while it swaps them.
bool HasSuffix(std::string_view name, std::string_view suffix) {
  const size_t at = name.rfind(suffix);
  if (at == std::string_view::npos) return false;
  const std::string_view rest = name.substr(at + suffix.size());
  return std::all_of(rest.begin(), rest.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

void IndexInvalidCheck::Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  if (!Collected(s, "stat_user_indexes")) return;
  const bool activity_known = Collected(s, "stat_activity");
  for (const model::IndexStats& idx : s.indexes) {
    if (idx.indisvalid) continue;
    const std::string object = RelationObject(idx.datname, idx.schemaname, idx.indexrelname);
    const double size = static_cast<double>(idx.estimated_size_bytes);
    const std::string name = QuoteQualified(idx.schemaname, idx.indexrelname);
    model::Finding f;
    f.id = "index.invalid";
    f.object = object;
    f.value = size;
    f.unit = "bytes";
    f.evidence.push_back(fmt::format(
        "pg_index.indisvalid = false, indisready = {}{} for {}.{} on {}", idx.indisready,
        idx.indislive ? "" : ", indislive = false", idx.schemaname, idx.indexrelname, idx.relname));
    if (const model::Backend* b = activity_known ? Builder(s, idx) : nullptr) {
      f.severity = model::Severity::kInfo;
      f.message = fmt::format(
          "index {} on {} is being built concurrently by pid {}: invalid "
          "until the build ends",
          idx.indexrelname, idx.relname, b->pid);
      f.evidence.push_back(fmt::format("pid {} runs: {}", b->pid, b->query.substr(0, 200)));
      out.push_back(std::move(f));
      continue;
    }
    const auto verdict = input.thresholds.Classify("index.invalid", size, s.target, object);
    if (verdict.severity == model::Severity::kOk) continue;
    f.severity = verdict.severity;
    f.threshold = verdict.threshold;
    const std::string cost = idx.indisready
                                 ? "every write still maintains it"
                                 : "writes no longer maintain it, but it holds its space";
    f.message = fmt::format(
        "index {} ({}) on {} is invalid, the leftover of a failed CREATE INDEX "
        "CONCURRENTLY or REINDEX CONCURRENTLY: never used by queries, {}",
        idx.indexrelname, FormatBytes(size), idx.relname, cost);
    if (idx.indisunique && idx.indisready) {
      f.evidence.push_back(
          "unique and ready: it still rejects duplicate keys on insert, though "
          "no query can use it");
    }
    if (HasSuffix(idx.indexrelname, "_ccold")) {
      f.recommendation = model::Recommendation{
          fmt::format("DROP INDEX CONCURRENTLY {};", name),
          "The name ends in _ccold: REINDEX CONCURRENTLY built and swapped in the new index, "
          "then failed to drop this old one. Dropping it is all that is left to do."};
    } else if (HasSuffix(idx.indexrelname, "_ccnew")) {
      f.recommendation = model::Recommendation{
          fmt::format("DROP INDEX CONCURRENTLY {};", name),
          "The name ends in _ccnew: the transient copy of a REINDEX CONCURRENTLY that failed; "
          "the original index is still there and valid. Drop this copy, then run the REINDEX "
          "CONCURRENTLY again if it was needed."};
    } else {
      f.recommendation = model::Recommendation{
          fmt::format("SELECT pg_get_indexdef({});  -- keep the definition\n"
                      "DROP INDEX CONCURRENTLY {};\n"
                      "-- then run the definition again with CREATE INDEX CONCURRENTLY",
                      idx.indexrelid, name),
          "A failed concurrent build leaves the index in place but invalid: the planner never "
          "uses it, and while it is ready every write pays for it. Drop it and build it again "
          "(or rebuild it in place with REINDEX INDEX CONCURRENTLY); if the build failed on a "
          "unique violation, fix the duplicate rows first or it fails again."};
    }
    out.push_back(std::move(f));
  }
}

}  // namespace pgvigil::analysis
