// SPDX-License-Identifier: Apache-2.0
#include "collect/bloat_inputs_collector.h"

#include <set>
#include <vector>

#include <fmt/format.h>

#include "collect/row_reader.h"
#include "pg/quote.h"

namespace pgvigil::collect {
namespace {

std::string Plural(int n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// The grant that makes the hidden statistics visible: pg_read_all_data from 14 on (it also lets
// the role read every row: a narrower choice is SELECT on the tables concerned), SELECT on the
// schemas' tables before.
std::string GrantHint(const std::set<std::string>& schemas, std::string_view role, int major) {
  const std::string grantee = role.empty() ? "<monitoring role>" : pg::QuoteIdentifier(role);
  std::string list;
  for (const std::string& schema : schemas) {
    if (!list.empty()) list += ", ";
    list += pg::QuoteIdentifier(schema);
  }
  const std::string select =
      fmt::format("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}", list, grantee);
  if (major >= 14) {
    return fmt::format("GRANT pg_read_all_data TO {} (or, narrower, {})", grantee, select);
  }
  return select;
}

}  // namespace

common::Status BloatInputsCollector::Parse(const CollectContext& context,
                                           std::span<const pg::QueryOutcome> results,
                                           model::Snapshot& snapshot, std::string& note) const {
  RowReader r(results[0].rows, "bloat_inputs");
  int hidden_tables = 0;
  int hidden_indexes = 0;
  int unanalyzed = 0;
  std::set<std::string> hidden_schemas;
  for (int i = 0; i < r.row_count(); ++i) {
    r.Seek(i);
    model::BloatInputs b;
    b.datname = r.Get<std::string>("datname");
    b.relid = r.Get<std::uint32_t>("relid");
    b.indexrelid = r.Get<std::uint32_t>("indexrelid");
    b.schemaname = r.Get<std::string>("schemaname");
    b.relname = r.Get<std::string>("relname");
    b.indexrelname = r.Get<std::string>("indexrelname");
    b.reltuples = r.Get<double>("reltuples");
    b.relpages = r.Get<std::int64_t>("relpages");
    b.fillfactor = r.Get<int>("fillfactor");
    b.header_width = r.Get<int>("header_width");
    b.data_width = r.Get<double>("data_width");
    b.tuple_width = r.Get<double>("tuple_width");
    b.columns = r.Get<int>("columns");
    const int with_stats = r.Get<int>("columns_with_stats");
    const bool is_readable = r.Get<bool>("is_readable");
    // A partial picture of a tuple would understate its width, and so overstate the bloat:
    // only relations with statistics for every column (and a reltuples, -1 before the first
    // VACUUM or ANALYZE on 14+) are kept.
    if (b.columns > 0 && with_stats == b.columns && b.reltuples >= 0) {
      snapshot.bloat_inputs.push_back(std::move(b));
    } else if (!is_readable) {
      ++(b.is_index() ? hidden_indexes : hidden_tables);
      hidden_schemas.insert(b.schemaname);
    } else {
      ++unanalyzed;
    }
  }
  PGV_RETURN_IF_ERROR(r.status());

  std::vector<std::string> parts;
  if (hidden_tables + hidden_indexes > 0) {
    parts.push_back(fmt::format(
        "{} and {} of at least 1 MiB left out of the bloat estimate: pg_stats hides the "
        "statistics of columns the monitoring role may not SELECT; {}",
        Plural(hidden_tables, "table", "tables"), Plural(hidden_indexes, "index", "indexes"),
        GrantHint(hidden_schemas, context.server.current_user, context.server.major())));
  }
  if (unanalyzed > 0) {
    parts.push_back(
        fmt::format("{} without statistics for every column (never analyzed, row "
                    "security, or a column with statistics target 0)",
                    Plural(unanalyzed, "relation", "relations")));
  }
  for (const std::string& part : parts) {
    if (!note.empty()) note += "; ";
    note += part;
  }
  return common::Status::Ok();
}

}  // namespace pgvigil::collect
