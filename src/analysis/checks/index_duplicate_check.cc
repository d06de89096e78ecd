// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/index_duplicate_check.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
namespace {

// Which of two twins to keep: the one that enforces more, then the more used, then the older.
bool KeepBefore(const model::IndexStats* a, const model::IndexStats* b) {
  auto rank = [](const model::IndexStats* i) {
    return std::make_tuple(i->indisprimary, !i->constraint_type.empty(), i->indisunique,
                           i->idx_scan);
  };
  if (rank(a) != rank(b)) return rank(a) > rank(b);
  if (a->indexrelid != b->indexrelid) return a->indexrelid < b->indexrelid;
  return a->indexrelname < b->indexrelname;
}

std::string Role(const model::IndexStats& i) {
  if (i.indisprimary) return "the primary key";
  if (!i.constraint_type.empty()) return fmt::format("backs constraint {}", i.constraint_name);
  if (i.indisunique) return "unique";
  return fmt::format("{} scans", i.idx_scan);
}

}  // namespace

bool IsUsableIndex(const model::IndexStats& index) {
  return index.indisvalid && index.indisready && index.indislive;
}

std::map<std::pair<std::string, std::uint32_t>, std::vector<const model::IndexStats*>>
UsableIndexesByTable(const std::vector<model::IndexStats>& indexes) {
  std::map<std::pair<std::string, std::uint32_t>, std::vector<const model::IndexStats*>> out;
  for (const model::IndexStats& idx : indexes) {
    if (IsUsableIndex(idx)) out[{idx.datname, idx.relid}].push_back(&idx);
  }
  return out;
}

bool SameDefinition(const model::IndexStats& a, const model::IndexStats& b) {
  return a.datname == b.datname && a.relid == b.relid && a.schemaname == b.schemaname &&
         a.relname == b.relname && a.access_method == b.access_method &&
         a.indnkeyatts == b.indnkeyatts && a.key_columns == b.key_columns &&
         a.opclasses == b.opclasses && a.collations == b.collations && a.indoption == b.indoption &&
         a.predicate == b.predicate;
}

std::string DescribeColumns(const model::IndexStats& index) {
  std::vector<std::string> keys;
  std::vector<std::string> include;
  for (size_t n = 0; n < index.key_columns.size(); ++n) {
    if (static_cast<int>(n) >= index.indnkeyatts) {
      include.push_back(index.key_columns[n]);
      continue;
    }
    std::string column = index.key_columns[n];
    const int option = n < index.indoption.size() ? index.indoption[n] : 0;
    if (option & 1) column += " DESC";
    if ((option & 2) && !(option & 1)) column += " NULLS FIRST";
    if (!(option & 2) && (option & 1)) column += " NULLS LAST";
    keys.push_back(std::move(column));
  }
  std::string text = fmt::format("({})", fmt::join(keys, ", "));
  if (!include.empty()) text += fmt::format(" INCLUDE ({})", fmt::join(include, ", "));
  if (!index.predicate.empty()) text += " WHERE " + index.predicate;
  return text;
}

void IndexDuplicateCheck::Evaluate(const CheckInput& input,
                                   std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  if (!Collected(s, "stat_user_indexes")) return;
  // Twins, grouped within each table in catalogue order.
  std::vector<std::vector<const model::IndexStats*>> groups;
  for (const auto& [table, indexes] : UsableIndexesByTable(s.indexes)) {
    const size_t first_group = groups.size();
    for (const model::IndexStats* idx : indexes) {
      auto group =
          std::find_if(groups.begin() + static_cast<std::ptrdiff_t>(first_group), groups.end(),
                       [&](const auto& g) { return SameDefinition(*g.front(), *idx); });
      if (group == groups.end()) {
        groups.push_back({idx});
      } else {
        group->push_back(idx);
      }
    }
  }
  for (auto& group : groups) {
    if (group.size() < 2) continue;
    std::stable_sort(group.begin(), group.end(), KeepBefore);
    const model::IndexStats& keep = *group.front();
    for (size_t n = 1; n < group.size(); ++n) {
      const model::IndexStats& dup = *group[n];
      const std::string object = RelationObject(dup.datname, dup.schemaname, dup.indexrelname);
      const double size = static_cast<double>(dup.estimated_size_bytes);
      const auto verdict = input.thresholds.Classify("index.duplicate", size, s.target, object);
      if (verdict.severity == model::Severity::kOk) continue;
      model::Finding f;
      f.id = "index.duplicate";
      f.severity = verdict.severity;
      f.object = object;
      f.value = size;
      f.threshold = verdict.threshold;
      f.unit = "bytes";
      f.message =
          fmt::format("index {} ({}) on {} duplicates {}: same definition {}", dup.indexrelname,
                      FormatBytes(size), dup.relname, keep.indexrelname, DescribeColumns(dup));
      f.evidence = {
          fmt::format("{} and {} on {}.{}: the same {} columns {}, operator classes {{{}}}, "
                      "collations, ordering options and predicate",
                      dup.indexrelname, keep.indexrelname, dup.schemaname, dup.relname,
                      dup.access_method, DescribeColumns(dup), fmt::join(dup.opclasses, ",")),
          fmt::format("kept: {} ({}, {}); this one: {}, {}", keep.indexrelname, Role(keep),
                      FormatBytes(static_cast<double>(keep.estimated_size_bytes)), Role(dup),
                      FormatBytes(size))};
      if (!dup.constraint_type.empty()) {
        f.recommendation = model::Recommendation{
            fmt::format("ALTER TABLE {} DROP CONSTRAINT {};",
                        QuoteQualified(dup.schemaname, dup.relname),
                        QuoteIdent(dup.constraint_name)),
            fmt::format("This index backs constraint {}, which {} already enforces; dropping the "
                        "constraint drops the index. It fails, harmlessly, when a foreign key "
                        "references this constraint: keep it then. ALTER TABLE takes an ACCESS "
                        "EXCLUSIVE lock, briefly: run it at a quiet moment.",
                        dup.constraint_name, keep.indexrelname)};
      } else {
        f.recommendation = model::Recommendation{
            fmt::format("DROP INDEX CONCURRENTLY {};",
                        QuoteQualified(dup.schemaname, dup.indexrelname)),
            fmt::format("{} serves every query this index serves{}; each write pays for both and "
                        "vacuum scans both. DROP fails, harmlessly, if a foreign key depends on "
                        "this index.",
                        keep.indexrelname,
                        dup.indisunique ? " and enforces the same uniqueness" : "")};
      }
      out.push_back(std::move(f));
    }
  }
}

}  // namespace pgvigil::analysis
