// SPDX-License-Identifier: Apache-2.0
#include "maintenance/relation_resolver.h"

#include <charconv>
#include <vector>

#include "maintenance/maintenance_sql.h"

namespace pgvigil::maintenance {
namespace {

using model::OperationKind;

std::uint32_t ParseOid(std::string_view text) {
  std::uint32_t out = 0;
  std::from_chars(text.data(), text.data() + text.size(), out);
  return out;
}

std::string ObjectWord(OperationKind kind) {
  return kind == OperationKind::kReindexIndex ? "index" : "table";
}

}  // namespace

std::string DisplayName(const model::ResolvedRelation& relation) {
  return relation.schema + "." + relation.name;
}

common::Result<model::ResolvedRelation> ResolveRelation(pg::Session& session,
                                                        const model::MaintenanceRequest& request) {
  const std::string word = ObjectWord(request.kind);
  const pg::Query query{"resolve_relation",
                        std::string(MaintenanceSql("resolve_relation.sql")),
                        {request.object, request.schema, word}};
  std::vector<pg::QueryOutcome> out = session.RunPipeline({&query, 1});
  if (!out[0].status.ok()) return out[0].status;
  const pg::ResultSet& rows = out[0].rows;
  auto col = [&](int row, std::string_view name) {
    return std::string(rows.Value(row, rows.ColumnIndex(name)));
  };
  const std::string where = request.schema.empty() ? "" : " in schema \"" + request.schema + "\"";
  if (rows.row_count() == 0) {
    return common::NotFoundError("no " + word + " named \"" + request.object + "\"" + where);
  }
  if (rows.row_count() > 1) {
    std::string schemas;
    for (int r = 0; r < rows.row_count(); ++r) {
      schemas += (r == 0 ? "" : ", ") + col(r, "schema");
    }
    return common::InvalidArgumentError("the " + word + " name \"" + request.object +
                                        "\" is ambiguous: it exists in schemas " + schemas +
                                        "; give the schema");
  }
  model::ResolvedRelation r;
  r.oid = ParseOid(col(0, "oid"));
  r.table_oid = ParseOid(col(0, "table_oid"));
  r.schema = col(0, "schema");
  r.name = col(0, "name");
  r.table_schema = col(0, "table_schema");
  r.table_name = col(0, "table_name");
  const std::string relkind = col(0, "relkind");
  r.relkind = relkind.empty() ? 'r' : relkind[0];
  r.owner = col(0, "owner");
  return r;
}

common::Status RecheckRelation(pg::Session& session, const model::ResolvedRelation& relation) {
  const pg::Query query{"relation_by_oid",
                        std::string(MaintenanceSql("relation_by_oid.sql")),
                        {std::to_string(relation.oid)}};
  std::vector<pg::QueryOutcome> out = session.RunPipeline({&query, 1});
  if (!out[0].status.ok()) return out[0].status;
  const pg::ResultSet& rows = out[0].rows;
  if (rows.row_count() != 1) {
    return common::NotFoundError(DisplayName(relation) + " (oid " + std::to_string(relation.oid) +
                                 ") no longer exists");
  }
  if (rows.Value(0, 0) != relation.schema || rows.Value(0, 1) != relation.name) {
    return common::NotFoundError(
        "oid " + std::to_string(relation.oid) + " is now " + std::string(rows.Value(0, 0)) + "." +
        std::string(rows.Value(0, 1)) + ", not " + DisplayName(relation) + " as planned");
  }
  return common::Status::Ok();
}

}  // namespace pgvigil::maintenance
