// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/sequence_exhaustion_check.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
namespace {

constexpr std::string_view kId = "sequence.exhaustion";

struct Range {
  double min;
  double max;
};

// The range of an integer type as format_type() names it; empty for bigint and anything else
// (a bigint sequence's own MINVALUE/MAXVALUE already bound it).
std::optional<Range> SmallTypeRange(std::string_view type) {
  if (type == "smallint") return Range{-32768.0, 32767.0};
  if (type == "integer") return Range{-2147483648.0, 2147483647.0};
  return std::nullopt;
}

void ReportUnreadable(const model::Snapshot& s, std::vector<model::Finding>& out) {
  struct Unreadable {
    int count = 0;
    std::set<std::string> schemas;
    std::vector<std::string> names;
  };
  std::map<std::string, Unreadable> by_database;
  for (const model::SequenceStats& q : s.sequences) {
    if (q.is_readable) continue;
    Unreadable& u = by_database[q.datname];
    ++u.count;
    u.schemas.insert(q.schemaname);
    if (u.names.size() < 5) u.names.push_back(q.schemaname + "." + q.sequencename);
  }
  for (const auto& [datname, u] : by_database) {
    std::vector<std::string> schemas;
    for (const std::string& schema : u.schemas) schemas.push_back(QuoteIdent(schema));
    const std::string role =
        s.server.current_user.empty() ? "CURRENT_USER" : QuoteIdent(s.server.current_user);
    model::Finding f;
    f.id = std::string(kId);
    f.severity = model::Severity::kInfo;
    f.object = datname;
    f.value = u.count;
    f.unit = "count";
    f.insufficient_data = true;
    f.message = fmt::format(
        "{} sequence{} in database {} could not be judged: the monitoring role may not read {} "
        "last value",
        u.count, u.count == 1 ? "" : "s", datname, u.count == 1 ? "its" : "their");
    f.evidence.push_back(
        fmt::format("has_sequence_privilege(…, 'SELECT,USAGE') is false for "
                    "{} sequences, among them {}",
                    u.count, fmt::join(u.names, ", ")));
    f.evidence.push_back("pg_monitor does not include reading sequences");
    f.recommendation = model::Recommendation{
        fmt::format("GRANT SELECT ON ALL SEQUENCES IN SCHEMA {} TO {};", fmt::join(schemas, ", "),
                    role),
        fmt::format("SELECT lets the monitoring role read a sequence's position, not advance it. "
                    "Run it in database {} as the owner of the sequences; for sequences created "
                    "later, ALTER DEFAULT PRIVILEGES … GRANT SELECT ON SEQUENCES TO {}.",
                    datname, role)};
    out.push_back(std::move(f));
  }
}

}  // namespace

std::optional<std::vector<std::string>> SplitQualifiedName(std::string_view qualified) {
  std::vector<std::string> parts;
  std::string current;
  size_t i = 0;
  while (i < qualified.size()) {
    const char c = qualified[i];
    if (c == '"') {
      ++i;
      bool closed = false;
      while (i < qualified.size()) {
        if (qualified[i] == '"') {
          if (i + 1 < qualified.size() && qualified[i + 1] == '"') {
            current += '"';
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        current += qualified[i++];
      }
      if (!closed) return std::nullopt;
    } else if (c == '.') {
      parts.push_back(std::move(current));
      current.clear();
      ++i;
    } else {
      current += c;
      ++i;
    }
  }
  parts.push_back(std::move(current));
  return parts;
}

void SequenceExhaustionCheck::Evaluate(const CheckInput& input,
                                       std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  const model::CollectorOutcome* o = s.FindOutcome("sequences");
  if (o == nullptr || o->status != model::CollectorStatus::kOk) return;

  for (const model::SequenceStats& q : s.sequences) {
    // Unreadable ones are reported together below; a readable one without a value was never
    // called (nothing used) or was locked (see skipped_relations).
    if (!q.is_readable || !q.last_value || q.increment_by == 0) continue;
    const bool increasing = q.increment_by > 0;
    const auto column_range = q.owned_by.empty() ? std::nullopt : SmallTypeRange(q.column_type);
    const double seq_min = static_cast<double>(q.min_value);
    const double seq_max = static_cast<double>(q.max_value);
    const double last = static_cast<double>(*q.last_value);
    double used = 0;
    double span = 0;
    double end = 0;
    bool column_binds = false;
    if (increasing) {
      end = seq_max;
      if (column_range && column_range->max <= end) {
        end = column_range->max;
        column_binds = true;
      }
      used = last - seq_min;
      span = end - seq_min;
    } else {
      end = seq_min;
      if (column_range && column_range->min >= end) {
        end = column_range->min;
        column_binds = true;
      }
      used = seq_max - last;
      span = seq_max - end;
    }
    if (span <= 0) continue;
    const double ratio = std::clamp(used / span, 0.0, 1.0);
    const std::string object = RelationObject(q.datname, q.schemaname, q.sequencename);
    const auto verdict = input.thresholds.Classify(kId, ratio, s.target, object);
    if (verdict.severity == model::Severity::kOk) continue;

    model::Finding f;
    f.id = std::string(kId);
    f.severity = q.cycle ? model::Severity::kInfo : verdict.severity;
    f.object = object;
    f.value = ratio;
    f.threshold = verdict.threshold;
    f.unit = "ratio";
    const double remaining =
        std::max(0.0, (span - used) / std::fabs(static_cast<double>(q.increment_by)));
    const std::string limit_text =
        column_binds
            ? fmt::format("the {} column {}", q.column_type, q.owned_by)
            : fmt::format("its {} {}", increasing ? "MAXVALUE" : "MINVALUE", FormatCount(end));
    f.message = fmt::format("sequence {} has used {} of its range ({} values left before {}){}",
                            object, FormatPercent(ratio), FormatCount(remaining), limit_text,
                            q.cycle ? "; it cycles, so it will restart at the other end instead "
                                      "of failing: duplicate keys if old rows remain"
                                    : "; nextval() fails there and inserts stop");
    f.evidence.push_back(
        fmt::format("last_value = {}, min_value = {}, max_value = {}, "
                    "increment_by = {}, data_type {}{}",
                    *q.last_value, q.min_value, q.max_value, q.increment_by, q.data_type,
                    q.cycle ? ", CYCLE" : ""));
    if (!q.owned_by.empty()) {
      f.evidence.push_back(fmt::format("feeds {} of type {}", q.owned_by,
                                       q.column_type.empty() ? "unknown" : q.column_type));
    }

    const std::string sequence = QuoteQualified(q.schemaname, q.sequencename);
    std::string sql;
    std::string why;
    const auto column = q.owned_by.empty() ? std::nullopt : SplitQualifiedName(q.owned_by);
    if (column_binds && column && column->size() == 3) {
      sql = fmt::format("ALTER TABLE {} ALTER COLUMN {} TYPE bigint;",
                        QuoteQualified((*column)[0], (*column)[1]), QuoteIdent((*column)[2]));
      if (q.data_type != "bigint") sql += fmt::format(" ALTER SEQUENCE {} AS bigint;", sequence);
      why =
          "Widening the column to bigint rewrites the table and its indexes under an ACCESS "
          "EXCLUSIVE lock (reads and writes wait): plan a window, or for a large table add a "
          "bigint column, backfill it in batches and swap. Columns that reference it (foreign "
          "keys) need the same change. ALTER SEQUENCE … AS bigint raises the sequence's own "
          "limit when it was the integer one.";
    } else if (column_binds) {
      why = fmt::format(
          "The {} column it feeds ({}) limits it: widen that column to bigint "
          "(a table rewrite under an ACCESS EXCLUSIVE lock).",
          q.column_type, q.owned_by);
    } else if (SmallTypeRange(q.data_type) &&
               end == (increasing ? SmallTypeRange(q.data_type)->max
                                  : SmallTypeRange(q.data_type)->min)) {
      sql = fmt::format("ALTER SEQUENCE {} AS bigint;", sequence);
      why =
          "The sequence's own type limits it; as bigint its limit becomes the bigint one. "
          "Changing a sequence is quick and takes only a short lock; check that the columns it "
          "feeds are bigint.";
    } else {
      sql = fmt::format("ALTER SEQUENCE {} {};", sequence,
                        increasing ? "NO MAXVALUE" : "NO MINVALUE");
      why = fmt::format(
          "The sequence was given a {} below its type's: find out why before "
          "lifting it, and check that the columns it feeds can hold larger values.",
          increasing ? "MAXVALUE" : "MINVALUE");
    }
    if (q.cycle) {
      why += " It is a CYCLE sequence: make sure wrapped values cannot collide with old rows.";
    }
    f.recommendation = model::Recommendation{sql, why};
    out.push_back(std::move(f));
  }
  ReportUnreadable(s, out);
}

}  // namespace pgvigil::analysis
