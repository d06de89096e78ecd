// SPDX-License-Identifier: Apache-2.0
#include "collect/sequences_collector.h"

#include <fmt/format.h>

#include <set>

#include "collect/row_reader.h"
#include "collect/storage_collector.h"
#include "pg/quote.h"

namespace pgvigil::collect {
namespace {

// The GRANT that makes the unreadable sequences readable: for one sequence that sequence, else
// every sequence of the schemas concerned. SELECT, not USAGE: USAGE would also allow nextval.
std::string GrantHint(const std::vector<const model::SequenceStats*>& unreadable,
                      std::string_view role) {
  const std::string grantee = role.empty() ? "<monitoring role>" : pg::QuoteIdentifier(role);
  if (unreadable.size() == 1) {
    return fmt::format(
        "GRANT SELECT ON SEQUENCE {} TO {}",
        pg::QuoteQualifiedName(unreadable[0]->schemaname, unreadable[0]->sequencename), grantee);
  }
  std::set<std::string> schemas;
  for (const model::SequenceStats* s : unreadable) schemas.insert(s->schemaname);
  std::string list;
  for (const std::string& schema : schemas) {
    if (!list.empty()) list += ", ";
    list += pg::QuoteIdentifier(schema);
  }
  return fmt::format("GRANT SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}", list, grantee);
}

}  // namespace

common::Status SequencesCollector::Parse(const CollectContext& context,
                                         std::span<const pg::QueryOutcome> results,
                                         model::Snapshot& snapshot, std::string& note) const {
  using I = std::int64_t;
  RowReader r(results[0].rows, "sequences");
  const size_t first = snapshot.sequences.size();
  for (int i = 0; i < r.row_count(); ++i) {
    r.Seek(i);
    model::SequenceStats s;
    s.datname = r.Get<std::string>("datname");
    s.schemaname = r.Get<std::string>("schemaname");
    s.sequencename = r.Get<std::string>("sequencename");
    s.data_type = r.Get<std::string>("data_type");
    s.min_value = r.Get<I>("min_value");
    s.max_value = r.Get<I>("max_value");
    s.increment_by = r.Get<I>("increment_by");
    s.cycle = r.Get<bool>("cycle");
    s.last_value = r.Get<std::optional<I>>("last_value");
    s.is_readable = r.Get<bool>("is_readable");
    s.owned_by = r.Get<std::string>("owned_by");
    s.column_type = r.Get<std::string>("column_type");
    // A conflicting lock on the sequence: its last_value was not read (it stays empty).
    if (const auto mode = r.Get<std::optional<std::string>>("lock_mode")) {
      model::SkippedRelation skipped;
      skipped.datname = s.datname;
      skipped.relid = r.Get<std::uint32_t>("relid");
      skipped.schemaname = s.schemaname;
      skipped.relname = s.sequencename;
      skipped.collector = std::string(name());
      skipped.reason = LockSkipReason(*mode, "", r.Get<std::optional<int>>("lock_pid"),
                                      r.Get<bool>("lock_granted"));
      snapshot.skipped_relations.push_back(std::move(skipped));
    }
    snapshot.sequences.push_back(std::move(s));
  }
  PGV_RETURN_IF_ERROR(r.status());

  std::vector<const model::SequenceStats*> unreadable;
  for (size_t i = first; i < snapshot.sequences.size(); ++i) {
    if (!snapshot.sequences[i].is_readable) unreadable.push_back(&snapshot.sequences[i]);
  }
  if (!unreadable.empty()) {
    note = fmt::format(
        "{} sequence{} not readable by the monitoring role: {} (pg_monitor does not cover "
        "sequences)",
        unreadable.size(), unreadable.size() == 1 ? " is" : "s are",
        GrantHint(unreadable, context.server.current_user));
  }
  return common::Status::Ok();
}

}  // namespace pgvigil::collect
