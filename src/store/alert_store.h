// SPDX-License-Identifier: Apache-2.0
// AlertStore persists the alert state machine's world: alerts, their audit trail (events),
// silences, pending `for` timers, and the notification outbox. Commit applies one
// model::AlertChanges (from alerts::RuleEvaluator) together with its outbox rows in ONE durable
// transaction (synchronous=FULL), so a notification is on disk before it is sent and a
// transition is never stored without its event. LoadState gives the evaluator back what it
// needs after a restart.
//
// SqliteAlertStore shares the history store's SQLite file (its own write connection; WAL lets
// both work side by side) and brings the schema up to date with the same migrations on Open.
// Thread safety: every method is safe to call from any thread (one connection under a mutex;
// the alert path is light: a few writes per transition).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "model/alert.h"
#include "store/sqlite_db.h"

namespace pgvigil::store {

// One row of the outbox: one notification for one channel.
struct OutboxRow {
  std::int64_t id = 0;  // assigned by the store
  std::int64_t alert_id = 0;
  std::string channel;
  std::string dedup_key;
  std::string payload_json;
  common::Timestamp created_at{};
  common::Timestamp next_attempt_at{};
  int attempts = 0;
  std::string last_error;
  std::optional<common::Timestamp> delivered_at;
  common::Timestamp expires_at{};
  std::optional<common::Timestamp> expired_at;  // the worker gave up
};

struct AlertFilter {
  std::optional<model::AlertState> state;
  std::optional<model::Severity> severity;  // exactly this severity
  std::optional<std::string> target;
  int limit = 500;  // newest first
};

class AlertStore {
 public:
  virtual ~AlertStore() = default;

  // Applies `changes` (alerts upserted by id, events appended, silences added, the pending
  // timers of changes.pending_target replaced) and appends `outbox` rows, all in one durable
  // transaction: all or nothing.
  virtual common::Status Commit(const model::AlertChanges& changes,
                                std::span<const OutboxRow> outbox) = 0;
  // Open alerts, pending timers, silences not expired at `now`, and the highest ids given.
  virtual common::Result<model::PersistedAlertState> LoadState(common::Timestamp now) = 0;

  virtual common::Result<std::vector<model::Alert>> ListAlerts(const AlertFilter& filter) = 0;
  // kNotFound when there is no such alert.
  virtual common::Result<model::Alert> GetAlert(std::int64_t id) = 0;
  // Oldest first.
  virtual common::Result<std::vector<model::AlertEvent>> Events(std::int64_t alert_id) = 0;

  // Undelivered, unexpired rows with next_attempt_at <= now, oldest first, at most `limit`.
  virtual common::Result<std::vector<OutboxRow>> DueOutbox(common::Timestamp now, int limit) = 0;
  virtual common::Status MarkDelivered(std::int64_t id, int attempts, common::Timestamp at) = 0;
  virtual common::Status MarkFailed(std::int64_t id, int attempts,
                                    common::Timestamp next_attempt_at,
                                    const std::string& error) = 0;
  virtual common::Status MarkExpired(std::int64_t id, int attempts, const std::string& error,
                                     common::Timestamp at) = 0;
};

class SqliteAlertStore final : public AlertStore {
 public:
  // Opens (creating when missing) the SQLite file at `path`, the same file as the history
  // store's, and applies pending migrations (errors as SqliteHistoryStore::Open). `clock` gives
  // migrations' applied_at; not owned.
  static common::Result<std::unique_ptr<SqliteAlertStore>> Open(
      const std::string& path, const common::Clock& clock = common::SystemClock::Instance());

  common::Status Commit(const model::AlertChanges& changes,
                        std::span<const OutboxRow> outbox) override;
  common::Result<model::PersistedAlertState> LoadState(common::Timestamp now) override;
  common::Result<std::vector<model::Alert>> ListAlerts(const AlertFilter& filter) override;
  common::Result<model::Alert> GetAlert(std::int64_t id) override;
  common::Result<std::vector<model::AlertEvent>> Events(std::int64_t alert_id) override;
  common::Result<std::vector<OutboxRow>> DueOutbox(common::Timestamp now, int limit) override;
  common::Status MarkDelivered(std::int64_t id, int attempts, common::Timestamp at) override;
  common::Status MarkFailed(std::int64_t id, int attempts, common::Timestamp next_attempt_at,
                            const std::string& error) override;
  common::Status MarkExpired(std::int64_t id, int attempts, const std::string& error,
                             common::Timestamp at) override;

 private:
  explicit SqliteAlertStore(SqliteDb db) : db_(std::move(db)) {}
  common::Status CommitLocked(const model::AlertChanges& changes,
                              std::span<const OutboxRow> outbox);

  std::mutex mu_;
  SqliteDb db_;  // guarded by mu_
};

}  // namespace pgvigil::store
