// SPDX-License-Identifier: Apache-2.0
#include "store/maintenance_store.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "store/migrations.h"
#include "store/operation_json.h"
#include "store/sqlite_time.h"

namespace pgvigil::store {
namespace {

using nlohmann::json;
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

common::Result<json> ParseColumn(const SqliteStatement& s, int column, std::string_view what) {
  if (s.IsNull(column)) return json(nullptr);
  try {
    return json::parse(s.ColumnText(column));
  } catch (const json::exception& e) {
    return common::InternalError(fmt::format("stored {} is not JSON: {}", what, e.what()));
  }
}

constexpr const char* kColumns =
    "id, target, database, operation, object, options, sql, guards, state, initiator, "
    "initiator_role, forced, reason, created_at, started_at, finished_at, before, after, "
    "lock_attempts, sqlstate, message, progress, backends, sql_params";

// Binds every column but id to ?2 … ?24 (?1 is the id for an update).
common::Status BindOperation(SqliteStatement& s, const model::MaintenanceOperation& op) {
  PGV_RETURN_IF_ERROR(s.BindText(2, op.target));
  PGV_RETURN_IF_ERROR(s.BindText(3, op.database));
  PGV_RETURN_IF_ERROR(s.BindText(4, model::OperationKindName(op.kind)));
  PGV_RETURN_IF_ERROR(s.BindText(5, op.object));
  PGV_RETURN_IF_ERROR(s.BindText(6, Dump(OptionsToJson(op.options))));
  PGV_RETURN_IF_ERROR(s.BindText(7, op.sql));
  PGV_RETURN_IF_ERROR(s.BindText(8, Dump(GuardsToJson(op.guards))));
  PGV_RETURN_IF_ERROR(s.BindText(9, model::OperationStateName(op.state)));
  PGV_RETURN_IF_ERROR(s.BindText(10, op.initiator));
  PGV_RETURN_IF_ERROR(s.BindText(11, op.initiator_role));
  PGV_RETURN_IF_ERROR(s.BindInt64(12, op.forced ? 1 : 0));
  PGV_RETURN_IF_ERROR(s.BindText(13, op.reason));
  PGV_RETURN_IF_ERROR(s.BindInt64(14, Micros(op.created_at)));
  PGV_RETURN_IF_ERROR(s.BindOptional(15, OptMicros(op.started_at)));
  PGV_RETURN_IF_ERROR(s.BindOptional(16, OptMicros(op.finished_at)));
  PGV_RETURN_IF_ERROR(s.BindText(17, Dump(FiguresToJson(op.before))));
  PGV_RETURN_IF_ERROR(s.BindText(18, Dump(FiguresToJson(op.after))));
  PGV_RETURN_IF_ERROR(s.BindInt64(19, op.lock_attempts));
  PGV_RETURN_IF_ERROR(s.BindText(20, op.sqlstate));
  PGV_RETURN_IF_ERROR(s.BindText(21, op.message));
  if (op.progress.has_value()) {
    PGV_RETURN_IF_ERROR(s.BindText(22, Dump(ProgressToJson(op.progress))));
  } else {
    PGV_RETURN_IF_ERROR(s.BindNull(22));
  }
  PGV_RETURN_IF_ERROR(s.BindText(23, Dump(BackendsToJson(op.backends))));
  return s.BindText(24, Dump(SqlParamsToJson(op.sql_params)));
}

common::Result<model::MaintenanceOperation> ReadOperation(const SqliteStatement& s) {
  model::MaintenanceOperation op;
  op.id = s.ColumnInt64(0);
  op.target = s.ColumnText(1);
  op.database = s.ColumnText(2);
  const std::string kind = s.ColumnText(3);
  const auto parsed_kind = model::ParseOperationKind(kind);
  if (!parsed_kind) {
    return common::InternalError(fmt::format("operation {}: kind {}", op.id, kind));
  }
  op.kind = *parsed_kind;
  op.object = s.ColumnText(4);
  PGV_ASSIGN_OR_RETURN(const json options, ParseColumn(s, 5, "options"));
  PGV_ASSIGN_OR_RETURN(op.options, OptionsFromJson(options));
  op.sql = s.ColumnText(6);
  PGV_ASSIGN_OR_RETURN(const json guards, ParseColumn(s, 7, "guards"));
  PGV_ASSIGN_OR_RETURN(op.guards, GuardsFromJson(guards));
  const std::string state = s.ColumnText(8);
  const auto parsed_state = model::ParseOperationState(state);
  if (!parsed_state) {
    return common::InternalError(fmt::format("operation {}: state {}", op.id, state));
  }
  op.state = *parsed_state;
  op.initiator = s.ColumnText(9);
  op.initiator_role = s.ColumnText(10);
  op.forced = s.ColumnInt64(11) != 0;
  op.reason = s.ColumnText(12);
  op.created_at = FromMicros(s.ColumnInt64(13));
  op.started_at = OptTime(s, 14);
  op.finished_at = OptTime(s, 15);
  PGV_ASSIGN_OR_RETURN(const json before, ParseColumn(s, 16, "before"));
  PGV_ASSIGN_OR_RETURN(op.before, FiguresFromJson(before));
  PGV_ASSIGN_OR_RETURN(const json after, ParseColumn(s, 17, "after"));
  PGV_ASSIGN_OR_RETURN(op.after, FiguresFromJson(after));
  op.lock_attempts = static_cast<int>(s.ColumnInt64(18));
  op.sqlstate = s.ColumnText(19);
  op.message = s.ColumnText(20);
  PGV_ASSIGN_OR_RETURN(const json progress, ParseColumn(s, 21, "progress"));
  PGV_ASSIGN_OR_RETURN(op.progress, ProgressFromJson(progress));
  PGV_ASSIGN_OR_RETURN(const json backends, ParseColumn(s, 22, "backends"));
  PGV_ASSIGN_OR_RETURN(op.backends, BackendsFromJson(backends));
  PGV_ASSIGN_OR_RETURN(const json sql_params, ParseColumn(s, 23, "sql_params"));
  PGV_ASSIGN_OR_RETURN(op.sql_params, SqlParamsFromJson(sql_params));
  return op;
}

template <typename Fn>
common::Status ForEachRow(SqliteStatement& stmt, Fn&& fn) {
  while (true) {
    PGV_ASSIGN_OR_RETURN(const bool row, stmt.Step());
    if (!row) return common::Status::Ok();
    PGV_RETURN_IF_ERROR(fn(stmt));
  }
}

common::Result<std::vector<model::MaintenanceOperation>> ReadAll(SqliteStatement& s) {
  std::vector<model::MaintenanceOperation> out;
  PGV_RETURN_IF_ERROR(ForEachRow(s, [&](SqliteStatement& row) -> common::Status {
    PGV_ASSIGN_OR_RETURN(model::MaintenanceOperation op, ReadOperation(row));
    out.push_back(std::move(op));
    return common::Status::Ok();
  }));
  return out;
}

}  // namespace

common::Result<std::unique_ptr<SqliteMaintenanceStore>> SqliteMaintenanceStore::Open(
    const std::string& path, const common::Clock& clock) {
  PGV_ASSIGN_OR_RETURN(SqliteDb db, SqliteDb::Open(path));
  PGV_ASSIGN_OR_RETURN(const int applied, ApplyMigrations(db, BuiltinMigrations(), clock.Now()));
  (void)applied;
  return std::unique_ptr<SqliteMaintenanceStore>(new SqliteMaintenanceStore(std::move(db)));
}

common::Result<std::int64_t> SqliteMaintenanceStore::Insert(const model::MaintenanceOperation& op) {
  std::lock_guard lock(mu_);
  PGV_ASSIGN_OR_RETURN(DurableTransaction tx, DurableTransaction::Begin(db_));
  PGV_ASSIGN_OR_RETURN(
      SqliteStatement s,
      db_.Prepare(fmt::format("INSERT INTO maintenance_operations ({}) VALUES (NULL, ?2, ?3, ?4, "
                              "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
                              "?19, ?20, ?21, ?22, ?23, ?24)",
                              kColumns)));
  PGV_RETURN_IF_ERROR(BindOperation(s, op).WithContext("record maintenance operation"));
  PGV_RETURN_IF_ERROR(s.Run());
  const std::int64_t id = db_.LastInsertRowId();
  PGV_RETURN_IF_ERROR(tx.Commit());
  return id;
}

common::Status SqliteMaintenanceStore::Update(const model::MaintenanceOperation& op) {
  std::lock_guard lock(mu_);
  PGV_ASSIGN_OR_RETURN(DurableTransaction tx, DurableTransaction::Begin(db_));
  PGV_ASSIGN_OR_RETURN(
      SqliteStatement s,
      db_.Prepare("UPDATE maintenance_operations SET target = ?2, database = ?3, operation = ?4, "
                  "object = ?5, options = ?6, sql = ?7, guards = ?8, state = ?9, initiator = ?10, "
                  "initiator_role = ?11, forced = ?12, reason = ?13, created_at = ?14, "
                  "started_at = ?15, finished_at = ?16, before = ?17, after = ?18, "
                  "lock_attempts = ?19, sqlstate = ?20, message = ?21, progress = ?22, "
                  "backends = ?23, sql_params = ?24 WHERE id = ?1"));
  PGV_RETURN_IF_ERROR(s.BindInt64(1, op.id));
  PGV_RETURN_IF_ERROR(BindOperation(s, op));
  PGV_RETURN_IF_ERROR(s.Run());
  if (db_.Changes() == 0) {
    return common::NotFoundError(fmt::format("no maintenance operation with id {}", op.id));
  }
  return tx.Commit();
}

common::Result<model::MaintenanceOperation> SqliteMaintenanceStore::Get(std::int64_t id) {
  std::lock_guard lock(mu_);
  PGV_ASSIGN_OR_RETURN(
      SqliteStatement s,
      db_.Prepare(fmt::format("SELECT {} FROM maintenance_operations WHERE id = ?1", kColumns)));
  PGV_RETURN_IF_ERROR(s.BindInt64(1, id));
  PGV_ASSIGN_OR_RETURN(const bool row, s.Step());
  if (!row) return common::NotFoundError(fmt::format("no maintenance operation with id {}", id));
  return ReadOperation(s);
}

common::Result<std::vector<model::MaintenanceOperation>> SqliteMaintenanceStore::List(
    const OperationFilter& filter) {
  std::lock_guard lock(mu_);
  std::string where = "1 = 1";
  if (filter.type == OperationFilter::Type::kRunning) {
    where += " AND state IN ('queued', 'running')";
  }
  if (filter.target) where += " AND target = ?1";
  PGV_ASSIGN_OR_RETURN(
      SqliteStatement s,
      db_.Prepare(
          fmt::format("SELECT {} FROM maintenance_operations WHERE {} ORDER BY id DESC LIMIT ?2",
                      kColumns, where)));
  if (filter.target) PGV_RETURN_IF_ERROR(s.BindText(1, *filter.target));
  PGV_RETURN_IF_ERROR(s.BindInt64(2, filter.limit));
  return ReadAll(s);
}

common::Result<std::vector<model::MaintenanceOperation>>
SqliteMaintenanceStore::ReconcileUnfinished(common::Timestamp now) {
  std::lock_guard lock(mu_);
  PGV_ASSIGN_OR_RETURN(DurableTransaction tx, DurableTransaction::Begin(db_));
  std::vector<std::int64_t> ids;
  {
    PGV_ASSIGN_OR_RETURN(SqliteStatement s,
                         db_.Prepare("SELECT id FROM maintenance_operations WHERE state IN "
                                     "('queued', 'running') ORDER BY id"));
    PGV_RETURN_IF_ERROR(ForEachRow(s, [&](SqliteStatement& row) {
      ids.push_back(row.ColumnInt64(0));
      return common::Status::Ok();
    }));
  }
  if (ids.empty()) return std::vector<model::MaintenanceOperation>{};
  {
    PGV_ASSIGN_OR_RETURN(
        SqliteStatement s,
        db_.Prepare("UPDATE maintenance_operations SET state = 'unknown', finished_at = ?1, "
                    "progress = NULL, message = ?2 WHERE state IN ('queued', 'running')"));
    PGV_RETURN_IF_ERROR(s.BindInt64(1, Micros(now)));
    PGV_RETURN_IF_ERROR(s.BindText(2, kUnknownOutcomeMessage));
    PGV_RETURN_IF_ERROR(s.Run());
  }
  PGV_RETURN_IF_ERROR(tx.Commit());
  std::vector<model::MaintenanceOperation> out;
  for (const std::int64_t id : ids) {
    PGV_ASSIGN_OR_RETURN(
        SqliteStatement s,
        db_.Prepare(fmt::format("SELECT {} FROM maintenance_operations WHERE id = ?1", kColumns)));
    PGV_RETURN_IF_ERROR(s.BindInt64(1, id));
    PGV_ASSIGN_OR_RETURN(const bool row, s.Step());
    if (!row) continue;
    PGV_ASSIGN_OR_RETURN(model::MaintenanceOperation op, ReadOperation(s));
    out.push_back(std::move(op));
  }
  return out;
}

}  // namespace pgvigil::store
