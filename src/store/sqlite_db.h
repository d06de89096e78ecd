// SPDX-License-Identifier: Apache-2.0
// SqliteDb and SqliteStatement wrap one sqlite3 connection and its prepared statements in RAII
// (STYLE.md §8: the only users of sqlite3.h are in store/). Every failure comes back as a
// common::Status carrying SQLite's own message; nothing throws.
//
// Thread safety: a SqliteDb (and the statements prepared on it) is used by one thread at a
// time; connections are opened in SQLite's multi-thread mode (SQLITE_OPEN_NOMUTEX), so two
// threads need two connections. WAL lets readers on their own connections run beside a writer.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace pgvigil::store {

struct SqliteOpenOptions {
  bool read_only = false;  // PRAGMA query_only: for the read pool
  std::chrono::milliseconds busy_timeout{5000};
  // synchronous=NORMAL in WAL mode survives a crash of the process but may lose the last
  // commits on power loss; DurableTransaction raises it to FULL for one commit.
  bool synchronous_full = false;
};

class SqliteStatement {
 public:
  SqliteStatement() = default;
  SqliteStatement(SqliteStatement&&) noexcept;
  SqliteStatement& operator=(SqliteStatement&&) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement();

  // Parameters are numbered from 1, as in SQLite.
  common::Status BindInt64(int index, std::int64_t value);
  common::Status BindDouble(int index, double value);
  common::Status BindText(int index, std::string_view value);
  common::Status BindNull(int index);
  template <typename T>
  common::Status BindOptional(int index, const std::optional<T>& value) {
    if (!value) return BindNull(index);
    if constexpr (std::is_floating_point_v<T>) {
      return BindDouble(index, *value);
    } else {
      return BindInt64(index, static_cast<std::int64_t>(*value));
    }
  }

  // Runs one step: true when a row is ready to read, false when the statement is done.
  common::Result<bool> Step();
  // Steps to the end, for statements that return no rows (INSERT, UPDATE, DELETE).
  common::Status Run();
  // Makes the statement ready to run again with new bindings (old bindings are cleared).
  common::Status Reset();

  // Columns are numbered from 0, as in SQLite. Reading a NULL gives 0 / "".
  bool IsNull(int column) const;
  std::int64_t ColumnInt64(int column) const;
  double ColumnDouble(int column) const;
  std::string ColumnText(int column) const;
  std::optional<std::int64_t> ColumnOptionalInt64(int column) const;
  std::optional<double> ColumnOptionalDouble(int column) const;

 private:
  friend class SqliteDb;
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  common::Status Check(int rc, std::string_view what) const;

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteDb {
 public:
  SqliteDb(SqliteDb&&) noexcept;
  SqliteDb& operator=(SqliteDb&&) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  // Opens (creating when missing, unless read_only) the database at `path` in WAL mode with
  // foreign keys on and the busy timeout set. kUnavailable with SQLite's message on failure.
  static common::Result<SqliteDb> Open(const std::string& path,
                                       const SqliteOpenOptions& options = {});

  // Runs one or more statements separated by ';' (no rows, no parameters).
  common::Status Exec(std::string_view sql);
  common::Result<SqliteStatement> Prepare(std::string_view sql);

  // The statement for `sql`, prepared on the first call and kept by this connection for the
  // next ones: statements run on every tick (the history writes) then skip SQLite's parser and
  // planner. It comes reset and without bindings, and is reset again when the lease ends, so a
  // read stopped after its first row does not hold its read transaction open. Use one lease at
  // a time per statement text; the statement lives as long as the connection.
  class Lease {
   public:
    explicit Lease(SqliteStatement* stmt) : stmt_(stmt) {}
    Lease(Lease&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    SqliteStatement& operator*() const { return *stmt_; }
    SqliteStatement* operator->() const { return stmt_; }

   private:
    SqliteStatement* stmt_;
  };
  common::Result<Lease> Cached(std::string_view sql);
  // How many statements Cached() keeps (for tests).
  size_t CachedCountForTest() const { return cache_.size(); }

  std::int64_t LastInsertRowId() const;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  std::int64_t Changes() const;
  // Rows changed by every INSERT, UPDATE and DELETE since the connection opened.
  std::int64_t TotalChanges() const;
  bool InTransaction() const;
  const std::string& path() const { return path_; }
  // Frees the connection's cached pages (SQLite keeps up to 2 MiB per connection for its
  // life); the next read takes them from the OS's file cache again.
  void ReleaseMemory();
  // Bytes of the connection's page cache (SQLITE_DBSTATUS_CACHE_USED).
  std::int64_t CacheBytes() const;

 private:
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  void Close();  // finalizes the cached statements, then closes the connection
  sqlite3* db_ = nullptr;
  std::string path_;
  // Cached()'s statements by SQL text; unique_ptr keeps leases valid while the map grows.
  std::map<std::string, std::unique_ptr<SqliteStatement>, std::less<>> cache_;
};

// A transaction that rolls back unless Commit() succeeded. BEGIN IMMEDIATE by default: the
// write lock is taken up front, so a writer never fails half-way on a lock upgrade.
class Transaction {
 public:
  static common::Result<Transaction> Begin(SqliteDb& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();
  common::Status Commit();

 private:
  explicit Transaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_ = nullptr;  // null once committed or rolled back
};

// A Transaction whose commit is durable against power loss: it sets PRAGMA synchronous=FULL
// before BEGIN (SQLite refuses to change it inside a transaction) and restores NORMAL after
// the commit or rollback. For tables that must not lose a committed row (alerts, audit of
// maintenance actions, the notification outbox); history points do not need it. Use it on
// the writer connection like a Transaction.
class DurableTransaction {
 public:
  static common::Result<DurableTransaction> Begin(SqliteDb& db);
  DurableTransaction(DurableTransaction&& other) noexcept
      : db_(other.db_), tx_(std::move(other.tx_)) {
    other.db_ = nullptr;
  }
  DurableTransaction& operator=(DurableTransaction&&) = delete;
  DurableTransaction(const DurableTransaction&) = delete;
  ~DurableTransaction();
  common::Status Commit();

 private:
  DurableTransaction(SqliteDb* db, Transaction tx) : db_(db), tx_(std::move(tx)) {}
  SqliteDb* db_ = nullptr;
  std::optional<Transaction> tx_;
};

}  // namespace pgvigil::store
