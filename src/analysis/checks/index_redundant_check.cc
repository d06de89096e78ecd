// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/index_redundant_check.h"

#include <algorithm>

#include <fmt/format.h>

#include "analysis/checks/index_duplicate_check.h"
#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
namespace {

template <typename T>
T At(const std::vector<T>& v, size_t n) {
  return n < v.size() ? v[n] : T{};
}

// indoption bits: 1 DESC, 2 NULLS FIRST. A backward scan reverses both.
constexpr int kReversed = 3;

bool EnforcesSomething(const model::IndexStats& i) {
  return i.indisunique || i.indisprimary || i.indisexclusion || !i.constraint_type.empty();
}

}  // namespace

bool CoveredBy(const model::IndexStats& shorter, const model::IndexStats& longer) {
  if (&shorter == &longer || shorter.datname != longer.datname || shorter.relid != longer.relid ||
      shorter.schemaname != longer.schemaname || shorter.relname != longer.relname) {
    return false;
  }
  if (shorter.access_method != "btree" || longer.access_method != "btree") return false;
  if (shorter.predicate != longer.predicate) return false;
  const size_t keys = static_cast<size_t>(std::max(shorter.indnkeyatts, 0));
  if (keys == 0 || shorter.indnkeyatts > longer.indnkeyatts) return false;
  if (shorter.key_columns.size() < keys || longer.key_columns.size() < keys) return false;
  bool same_order = true;
  bool reversed_order = true;
  for (size_t n = 0; n < keys; ++n) {
    if (shorter.key_columns[n] != longer.key_columns[n] ||
        At(shorter.opclasses, n) != At(longer.opclasses, n) ||
        At(shorter.collations, n) != At(longer.collations, n)) {
      return false;
    }
    same_order = same_order && At(shorter.indoption, n) == At(longer.indoption, n);
    reversed_order =
        reversed_order && (At(shorter.indoption, n) ^ kReversed) == At(longer.indoption, n);
  }
  if (!same_order && !reversed_order) return false;
  // Its INCLUDE columns must be in the longer one too, or index-only scans would lose them.
  for (size_t n = keys; n < shorter.key_columns.size(); ++n) {
    if (std::find(longer.key_columns.begin(), longer.key_columns.end(), shorter.key_columns[n]) ==
        longer.key_columns.end()) {
      return false;
    }
  }
  return !SameDefinition(shorter, longer);
}

void IndexRedundantCheck::Evaluate(const CheckInput& input,
                                   std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  if (!Collected(s, "stat_user_indexes")) return;
  for (const auto& [table, indexes] : UsableIndexesByTable(s.indexes)) {
    for (const model::IndexStats* shorter_index : indexes) {
      const model::IndexStats& shorter = *shorter_index;
      if (EnforcesSomething(shorter)) continue;
      // The smallest index that covers it: the cheapest one to lean on instead.
      const model::IndexStats* best = nullptr;
      int covering = 0;
      for (const model::IndexStats* longer : indexes) {
        if (!CoveredBy(shorter, *longer)) continue;
        ++covering;
        if (best == nullptr || longer->estimated_size_bytes < best->estimated_size_bytes) {
          best = longer;
        }
      }
      if (best == nullptr) continue;
      const std::string object =
          RelationObject(shorter.datname, shorter.schemaname, shorter.indexrelname);
      const double size = static_cast<double>(shorter.estimated_size_bytes);
      const auto verdict = input.thresholds.Classify("index.redundant", size, s.target, object);
      model::Finding f;
      f.id = "index.redundant";
      f.severity =
          verdict.severity == model::Severity::kOk ? model::Severity::kInfo : verdict.severity;
      f.object = object;
      f.value = size;
      f.threshold = verdict.threshold;
      f.unit = "bytes";
      f.message = fmt::format("index {} ({}) on {} is covered by {}: its keys {} lead {}",
                              shorter.indexrelname, FormatBytes(size), shorter.relname,
                              best->indexrelname, DescribeColumns(shorter), DescribeColumns(*best));
      f.evidence = {
          fmt::format("both btree on {}.{}, same predicate, same operator classes and collations "
                      "on the shared columns",
                      shorter.schemaname, shorter.relname),
          fmt::format("{}: {}, {} scans; {}: {}, {} scans (since the statistics reset)",
                      shorter.indexrelname, FormatBytes(size), shorter.idx_scan, best->indexrelname,
                      FormatBytes(static_cast<double>(best->estimated_size_bytes)), best->idx_scan),
          fmt::format("{} is not unique and backs no constraint", shorter.indexrelname)};
      if (covering > 1) {
        f.evidence.push_back(fmt::format("{} indexes cover it; the smallest is named", covering));
      }
      f.recommendation = model::Recommendation{
          fmt::format("DROP INDEX CONCURRENTLY {};",
                      QuoteQualified(shorter.schemaname, shorter.indexrelname)),
          fmt::format("Every query that uses {0} can use {1}, whose keys start with the same "
                      "columns; dropping {0} saves its space and its cost on every write. {1} is "
                      "larger, so the queries that scan {0} ({2} scans so far) may get a little "
                      "slower: look at them before dropping.",
                      shorter.indexrelname, best->indexrelname, shorter.idx_scan)};
      out.push_back(std::move(f));
    }
  }
}

}  // namespace pgvigil::analysis
