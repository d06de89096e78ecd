// SPDX-License-Identifier: Apache-2.0
#include "store/sqlite_db.h"

#include <sqlite3.h>

#include <fmt/format.h>

namespace pgvigil::store {
namespace {

common::Status Error(sqlite3* db, int rc, std::string_view what) {
  const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  // A busy or locked database is a passing condition of the environment, not a bug.
  const auto code = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED ||
                            (rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_FULL ||
                            (rc & 0xff) == SQLITE_IOERR
                        ? common::StatusCode::kUnavailable
                        : common::StatusCode::kInternal;
  return {code, fmt::format("sqlite {}: {}", what, message)};
}

}  // namespace

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_) {
  other.stmt_ = nullptr;
}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = other.stmt_;
    other.stmt_ = nullptr;
  }
  return *this;
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

common::Status SqliteStatement::Check(int rc, std::string_view what) const {
  if (rc == SQLITE_OK) return common::Status::Ok();
  return Error(db_, rc, what);
}

common::Status SqliteStatement::BindInt64(int index, std::int64_t value) {
  return Check(sqlite3_bind_int64(stmt_, index, value), "bind");
}

common::Status SqliteStatement::BindDouble(int index, double value) {
  return Check(sqlite3_bind_double(stmt_, index, value), "bind");
}

common::Status SqliteStatement::BindText(int index, std::string_view value) {
  return Check(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      "bind");
}

common::Status SqliteStatement::BindNull(int index) {
  return Check(sqlite3_bind_null(stmt_, index), "bind");
}

common::Result<bool> SqliteStatement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error(db_, rc, fmt::format("step ({})", sqlite3_sql(stmt_)));
}

common::Status SqliteStatement::Run() {
  while (true) {
    PGV_ASSIGN_OR_RETURN(const bool row, Step());
    if (!row) break;
  }
  return Reset();
}

common::Status SqliteStatement::Reset() {
  const int rc = sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  return Check(rc, "reset");
}

bool SqliteStatement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t SqliteStatement::ColumnInt64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double SqliteStatement::ColumnDouble(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::string SqliteStatement::ColumnText(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<std::int64_t> SqliteStatement::ColumnOptionalInt64(int column) const {
  if (IsNull(column)) return std::nullopt;
  return ColumnInt64(column);
}

std::optional<double> SqliteStatement::ColumnOptionalDouble(int column) const {
  if (IsNull(column)) return std::nullopt;
  return ColumnDouble(column);
}

SqliteDb::SqliteDb(SqliteDb&& other) noexcept
    : db_(other.db_), path_(std::move(other.path_)), cache_(std::move(other.cache_)) {
  other.db_ = nullptr;
  other.cache_.clear();
}

SqliteDb& SqliteDb::operator=(SqliteDb&& other) noexcept {
  if (this != &other) {
    Close();
    db_ = other.db_;
    path_ = std::move(other.path_);
    cache_ = std::move(other.cache_);
    other.db_ = nullptr;
    other.cache_.clear();
  }
  return *this;
}

SqliteDb::~SqliteDb() { Close(); }

void SqliteDb::Close() {
  cache_.clear();
  sqlite3_close_v2(db_);
  db_ = nullptr;
}

common::Result<SqliteDb> SqliteDb::Open(const std::string& path, const SqliteOpenOptions& options) {
  sqlite3* raw = nullptr;
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (options.read_only ? 0 : SQLITE_OPEN_CREATE);
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqliteDb db(raw, path);  // closes `raw` on every return, even when the open failed
  if (rc != SQLITE_OK) {
    return common::UnavailableError(fmt::format(
        "sqlite open {}: {}", path, raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, static_cast<int>(options.busy_timeout.count()));
  // journal_mode returns a row; Exec ignores it. A read-only connection leaves the mode to
  // the writer (changing it needs a write).
  if (!options.read_only) PGV_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode=WAL"));
  PGV_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys=ON"));
  PGV_RETURN_IF_ERROR(
      db.Exec(options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  if (options.read_only) PGV_RETURN_IF_ERROR(db.Exec("PRAGMA query_only=ON"));
  return db;
}

common::Status SqliteDb::Exec(std::string_view sql) {
  char* message = nullptr;
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return common::Status::Ok();
  common::Status status = Error(db_, rc, "exec");
  if (message != nullptr) {
    status = common::Status(status.code(), fmt::format("sqlite exec: {}", message));
    sqlite3_free(message);
  }
  return status;
}

common::Result<SqliteStatement> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return Error(db_, rc, fmt::format("prepare ({})", sql));
  return SqliteStatement(db_, stmt);
}

SqliteDb::Lease::~Lease() {
  if (stmt_ != nullptr) (void)stmt_->Reset();
}

common::Result<SqliteDb::Lease> SqliteDb::Cached(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    PGV_ASSIGN_OR_RETURN(SqliteStatement stmt, Prepare(sql));
    it = cache_.emplace(std::string(sql), std::make_unique<SqliteStatement>(std::move(stmt))).first;
  } else {
    // Left reset by the last lease; this only matters after a failed Reset there.
    (void)it->second->Reset();
  }
  return Lease(it->second.get());
}

std::int64_t SqliteDb::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

std::int64_t SqliteDb::Changes() const { return sqlite3_changes64(db_); }

std::int64_t SqliteDb::TotalChanges() const { return sqlite3_total_changes64(db_); }

void SqliteDb::ReleaseMemory() { (void)sqlite3_db_release_memory(db_); }

std::int64_t SqliteDb::CacheBytes() const {
  int current = 0;
  int highwater = 0;
  (void)sqlite3_db_status(db_, SQLITE_DBSTATUS_CACHE_USED, &current, &highwater, 0);
  return current;
}

bool SqliteDb::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

common::Result<Transaction> Transaction::Begin(SqliteDb& db) {
  // Cached: the writers begin and commit several transactions a second.
  PGV_ASSIGN_OR_RETURN(SqliteDb::Lease begin, db.Cached("BEGIN IMMEDIATE"));
  PGV_RETURN_IF_ERROR(begin->Run());
  return Transaction(&db);
}

Transaction::~Transaction() {
  // A failed COMMIT may already have rolled back; ROLLBACK then fails harmlessly.
  if (db_ != nullptr && db_->InTransaction()) (void)db_->Exec("ROLLBACK");
}

common::Status Transaction::Commit() {
  if (db_ == nullptr) return common::InternalError("commit of a finished transaction");
  common::Status status = [&]() -> common::Status {
    PGV_ASSIGN_OR_RETURN(SqliteDb::Lease commit, db_->Cached("COMMIT"));
    return commit->Run();
  }();
  if (status.ok()) db_ = nullptr;
  return status;
}

common::Result<DurableTransaction> DurableTransaction::Begin(SqliteDb& db) {
  PGV_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous=FULL"));
  auto tx = Transaction::Begin(db);
  if (!tx.has_value()) {
    (void)db.Exec("PRAGMA synchronous=NORMAL");
    return tx.error();
  }
  return DurableTransaction(&db, std::move(*tx));
}

DurableTransaction::~DurableTransaction() {
  if (db_ == nullptr) return;
  tx_.reset();  // rolls back when not committed
  (void)db_->Exec("PRAGMA synchronous=NORMAL");
}

common::Status DurableTransaction::Commit() {
  if (db_ == nullptr || !tx_) return common::InternalError("commit of a finished transaction");
  common::Status status = tx_->Commit();
  tx_.reset();
  const common::Status restore = db_->Exec("PRAGMA synchronous=NORMAL");
  db_ = nullptr;
  return status.ok() ? restore : status;
}

}  // namespace pgvigil::store
