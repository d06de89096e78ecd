// SPDX-License-Identifier: Apache-2.0
// MaintenanceStore keeps the audit trail of maintenance and recovery operations (issue 6,
// docs/maintenance.md): one row per model::MaintenanceOperation, from intent to outcome. Insert
// writes the intent (queued / running) — or a dry run or refusal, which are audit too — in one
// durable (synchronous=FULL) transaction BEFORE the caller runs any SQL on the target; Update
// writes the outcome the same way. A crash between the two leaves a row queued or running,
// which ReconcileUnfinished turns into "unknown" at start-up.
//
// SqliteMaintenanceStore shares the history store's SQLite file (its own connection; WAL lets
// it work beside the others) and applies the same migrations on Open. Thread safety: every
// method may be called from any thread (one connection under a mutex; a few writes per
// operation).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "model/maintenance.h"
#include "store/sqlite_db.h"

namespace pgvigil::store {

struct OperationFilter {
  // kHistory: every operation; kRunning: those queued or running.
  enum class Type { kHistory, kRunning };
  Type type = Type::kHistory;
  std::optional<std::string> target;
  int limit = 100;  // newest first
};

// The message an operation left unfinished by a crash gets (ReconcileUnfinished).
inline constexpr std::string_view kUnknownOutcomeMessage =
    "the daemon stopped between recording the intent and the outcome of this operation: it may "
    "or may not have run. Check the object on the server (pg_stat_user_tables last_vacuum / "
    "last_analyze, pg_index indisvalid for an interrupted REINDEX CONCURRENTLY, "
    "pg_stat_activity for the backends of a recovery) before running it again";

class MaintenanceStore {
 public:
  virtual ~MaintenanceStore() = default;
  // Records `op` (its id is ignored) durably; returns the id assigned.
  virtual common::Result<std::int64_t> Insert(const model::MaintenanceOperation& op) = 0;
  // Replaces the row `op.id` with `op` durably. kNotFound for an unknown id.
  virtual common::Status Update(const model::MaintenanceOperation& op) = 0;
  // kNotFound when there is no such operation.
  virtual common::Result<model::MaintenanceOperation> Get(std::int64_t id) = 0;
  virtual common::Result<std::vector<model::MaintenanceOperation>> List(
      const OperationFilter& filter) = 0;
  // Every row still queued or running becomes state "unknown" with finished_at = now and
  // kUnknownOutcomeMessage; returns them (after the change), oldest first. Call it at start-up,
  // before anything can be queued.
  virtual common::Result<std::vector<model::MaintenanceOperation>> ReconcileUnfinished(
      common::Timestamp now) = 0;
};

class SqliteMaintenanceStore final : public MaintenanceStore {
 public:
  // Opens (creating when missing) the SQLite file at `path` and applies pending migrations.
  static common::Result<std::unique_ptr<SqliteMaintenanceStore>> Open(
      const std::string& path, const common::Clock& clock = common::SystemClock::Instance());

  common::Result<std::int64_t> Insert(const model::MaintenanceOperation& op) override;
  common::Status Update(const model::MaintenanceOperation& op) override;
  common::Result<model::MaintenanceOperation> Get(std::int64_t id) override;
  common::Result<std::vector<model::MaintenanceOperation>> List(
      const OperationFilter& filter) override;
  common::Result<std::vector<model::MaintenanceOperation>> ReconcileUnfinished(
      common::Timestamp now) override;

 private:
  explicit SqliteMaintenanceStore(SqliteDb db) : db_(std::move(db)) {}

  std::mutex mu_;
  SqliteDb db_;  // guarded by mu_
};

}  // namespace pgvigil::store
