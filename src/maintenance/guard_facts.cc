// SPDX-License-Identifier: Apache-2.0
#include "maintenance/guard_facts.h"

#include <charconv>
#include <optional>
#include <string>

#include "maintenance/maintenance_sql.h"
#include "pg/quote.h"

namespace pgvigil::maintenance {
namespace {

using model::OperationKind;

std::optional<std::int64_t> Int(const pg::ResultSet& rows, int row, int column) {
  if (column < 0 || row >= rows.row_count() || rows.IsNull(row, column)) return std::nullopt;
  const std::string_view v = rows.Value(row, column);
  std::int64_t out = 0;
  if (std::from_chars(v.data(), v.data() + v.size(), out).ec != std::errc()) return std::nullopt;
  return out;
}

pg::Query Conflicts(std::uint32_t table_oid) {
  return {"server_conflicts",
          std::string(MaintenanceSql("server_conflicts.sql")),
          {std::to_string(table_oid)}};
}

pg::Query InvalidIndexes(std::uint32_t table_oid) {
  return {"invalid_indexes",
          std::string(MaintenanceSql("invalid_indexes.sql")),
          {std::to_string(table_oid)}};
}

pg::Query Figures(const model::ResolvedRelation& r) {
  return {"relation_figures",
          std::string(MaintenanceSql("relation_figures.sql")),
          {std::to_string(r.oid), std::to_string(r.table_oid)}};
}

std::vector<ServerConflict> ParseConflicts(const pg::ResultSet& rows) {
  std::vector<ServerConflict> out;
  for (int r = 0; r < rows.row_count(); ++r) {
    out.push_back({static_cast<int>(Int(rows, r, 0).value_or(0)), std::string(rows.Value(r, 1)),
                   std::string(rows.Value(r, 2))});
  }
  return out;
}

std::vector<std::string> ParseInvalidIndexes(const pg::ResultSet& rows) {
  std::vector<std::string> out;
  for (int r = 0; r < rows.row_count(); ++r) {
    out.push_back(pg::QuoteQualifiedName(rows.Value(r, 0), rows.Value(r, 1)));
  }
  return out;
}

model::RelationFigures ParseFigures(const pg::ResultSet& rows) {
  model::RelationFigures f;
  f.size_bytes = Int(rows, 0, rows.ColumnIndex("size_bytes"));
  f.dead_tuples = Int(rows, 0, rows.ColumnIndex("n_dead_tup"));
  f.live_tuples = Int(rows, 0, rows.ColumnIndex("n_live_tup"));
  return f;
}

}  // namespace

common::Status ReadServerFacts(pg::Session& session, OperationKind kind, GuardFacts& facts,
                               model::RelationFigures& before) {
  const model::ResolvedRelation& r = *facts.relation;
  const bool vacuum_or_analyze = kind == OperationKind::kVacuum || kind == OperationKind::kAnalyze;
  const std::vector<pg::Query> queries = {
      {"advisory_lock_holder",
       std::string(MaintenanceSql("advisory_lock_holder.sql")),
       {std::to_string(kAdvisoryLockClass), std::to_string(r.table_oid)}},
      Conflicts(r.table_oid),
      InvalidIndexes(r.table_oid),
      {"privilege",
       std::string(
           MaintenanceSql(facts.server_major >= 17 ? "privilege.pg17.sql" : "privilege.sql")),
       {std::to_string(r.table_oid), vacuum_or_analyze ? "true" : "false"}},
      Figures(r),
  };
  std::vector<pg::QueryOutcome> out = session.RunPipeline(queries);
  for (const pg::QueryOutcome& o : out) {
    if (!o.status.ok()) return o.status;
  }
  if (out[0].rows.row_count() > 0) {
    facts.advisory_lock_pid = static_cast<int>(Int(out[0].rows, 0, 0).value_or(0));
  }
  facts.server_conflicts = ParseConflicts(out[1].rows);
  facts.invalid_indexes = ParseInvalidIndexes(out[2].rows);
  if (out[3].rows.row_count() == 1) facts.has_privilege = out[3].rows.Value(0, 0) == "t";
  before = ParseFigures(out[4].rows);
  return common::Status::Ok();
}

common::Result<std::vector<ServerConflict>> ReadServerConflicts(pg::Session& session,
                                                                std::uint32_t table_oid) {
  const pg::Query q = Conflicts(table_oid);
  std::vector<pg::QueryOutcome> out = session.RunPipeline({&q, 1});
  if (!out[0].status.ok()) return out[0].status;
  return ParseConflicts(out[0].rows);
}

common::Result<model::RelationFigures> ReadFigures(pg::Session& session,
                                                   const model::ResolvedRelation& relation) {
  const pg::Query q = Figures(relation);
  std::vector<pg::QueryOutcome> out = session.RunPipeline({&q, 1});
  if (!out[0].status.ok()) return out[0].status;
  return ParseFigures(out[0].rows);
}

common::Result<std::vector<std::string>> ReadInvalidIndexes(pg::Session& session,
                                                            std::uint32_t table_oid) {
  const pg::Query q = InvalidIndexes(table_oid);
  std::vector<pg::QueryOutcome> out = session.RunPipeline({&q, 1});
  if (!out[0].status.ok()) return out[0].status;
  return ParseInvalidIndexes(out[0].rows);
}

}  // namespace pgvigil::maintenance
