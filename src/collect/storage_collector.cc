// SPDX-License-Identifier: Apache-2.0
#include "collect/storage_collector.h"

#include <fmt/format.h>

#include <algorithm>

#include "collect/row_reader.h"

namespace pgvigil::collect {
std::string LockSkipReason(std::string_view mode, std::string_view locked_relation,
                           std::optional<int> pid, bool granted) {
  std::string reason(mode);
  if (!locked_relation.empty()) reason += fmt::format(" on {}", locked_relation);
  reason += granted ? " held by " : " requested by ";
  reason += pid ? fmt::format("pid {}", *pid) : std::string("a prepared transaction");
  return reason;
}

common::Result<std::vector<pg::Query>> StorageCollector::Plan(const CollectContext& context) const {
  const int major = context.server.major();
  // Only an integer goes into the SQL text; a negative setting measures nothing.
  const std::string limit = std::to_string(std::max(0, context.options.largest_relations_limit));
  std::vector<pg::Query> queries;
  for (const std::string_view name :
       {"database_sizes", "largest_relations", "exclusively_locked_relations"}) {
    PGV_ASSIGN_OR_RETURN(std::string_view sql, context.catalog.Find(name, major));
    queries.push_back({std::string(name), SubstitutePlaceholders(sql, {{"limit", limit}})});
  }
  return queries;
}

common::Status StorageCollector::Parse(const CollectContext& /*context*/,
                                       std::span<const pg::QueryOutcome> results,
                                       model::Snapshot& snapshot, std::string& /*note*/) const {
  RowReader sizes(results[0].rows, "database_sizes");
  for (int i = 0; i < sizes.row_count(); ++i) {
    sizes.Seek(i);
    model::DatabaseSize d;
    d.datname = sizes.Get<std::string>("datname");
    d.size_bytes = sizes.Get<std::int64_t>("size_bytes");
    snapshot.database_sizes.push_back(std::move(d));
  }
  PGV_RETURN_IF_ERROR(sizes.status());

  RowReader largest(results[1].rows, "largest_relations");
  for (int i = 0; i < largest.row_count(); ++i) {
    largest.Seek(i);
    model::RelationSize rel;
    rel.datname = largest.Get<std::string>("datname");
    rel.relid = largest.Get<std::uint32_t>("relid");
    rel.schemaname = largest.Get<std::string>("schemaname");
    rel.relname = largest.Get<std::string>("relname");
    rel.relkind = largest.Get<std::string>("relkind");
    rel.total_bytes = largest.Get<std::int64_t>("total_bytes");
    rel.table_bytes = largest.Get<std::int64_t>("table_bytes");
    rel.indexes_bytes = largest.Get<std::int64_t>("indexes_bytes");
    snapshot.largest_relations.push_back(std::move(rel));
  }
  PGV_RETURN_IF_ERROR(largest.status());

  RowReader locked(results[2].rows, "exclusively_locked_relations");
  for (int i = 0; i < locked.row_count(); ++i) {
    locked.Seek(i);
    model::SkippedRelation s;
    s.datname = locked.Get<std::string>("datname");
    s.relid = locked.Get<std::uint32_t>("relid");
    s.schemaname = locked.Get<std::string>("schemaname");
    s.relname = locked.Get<std::string>("relname");
    s.collector = std::string(name());
    const auto pid = locked.Get<std::optional<int>>("pid");
    const bool granted = locked.Get<bool>("granted");
    s.reason = LockSkipReason("AccessExclusiveLock", locked.Get<std::string>("locked_relation"),
                              pid, granted);
    snapshot.skipped_relations.push_back(std::move(s));
  }
  return locked.status();
}

}  // namespace pgvigil::collect
