// SPDX-License-Identifier: Apache-2.0
#include "store/alert_store.h"

#include <fmt/format.h>

#include "store/migrations.h"
#include "store/sqlite_time.h"

namespace pgvigil::store {
namespace {

model::Severity SeverityFromRank(std::int64_t rank) {
  switch (rank) {
    case 0:
      return model::Severity::kOk;
    case 1:
      return model::Severity::kInfo;
    case 2:
      return model::Severity::kWarning;
    default:
      return model::Severity::kCritical;
  }
}

constexpr const char* kAlertColumns =
    "id, target, check_id, object, severity, state, first_fired_at, last_changed_at, "
    "resolved_at, acked_by, acked_at, ack_note, value, unit, message, recommendation, "
    "clear_since, lower_since, last_notified_at";

common::Result<model::Alert> ReadAlert(const SqliteStatement& s) {
  model::Alert a;
  a.id = s.ColumnInt64(0);
  a.target = s.ColumnText(1);
  a.check_id = s.ColumnText(2);
  a.object = s.ColumnText(3);
  a.severity = SeverityFromRank(s.ColumnInt64(4));
  const std::string state = s.ColumnText(5);
  auto parsed = model::ParseAlertState(state);
  if (!parsed) return common::InternalError("alert " + std::to_string(a.id) + ": state " + state);
  a.state = *parsed;
  a.first_fired_at = FromMicros(s.ColumnInt64(6));
  a.last_changed_at = FromMicros(s.ColumnInt64(7));
  a.resolved_at = OptTime(s, 8);
  a.acked_by = s.ColumnText(9);
  a.acked_at = OptTime(s, 10);
  a.ack_note = s.ColumnText(11);
  a.value = s.ColumnOptionalDouble(12);
  a.unit = s.ColumnText(13);
  a.message = s.ColumnText(14);
  a.recommendation = s.ColumnText(15);
  a.clear_since = OptTime(s, 16);
  a.lower_since = OptTime(s, 17);
  a.last_notified_at = OptTime(s, 18);
  return a;
}

// Steps `stmt` to the end, calling fn(stmt) for each row; fn returns a Status.
template <typename Fn>
common::Status ForEachRow(SqliteStatement& stmt, Fn&& fn) {
  while (true) {
    PGV_ASSIGN_OR_RETURN(const bool row, stmt.Step());
    if (!row) return common::Status::Ok();
    PGV_RETURN_IF_ERROR(fn(stmt));
  }
}

common::Status BindAlert(SqliteStatement& s, const model::Alert& a) {
  PGV_RETURN_IF_ERROR(s.BindInt64(1, a.id));
  PGV_RETURN_IF_ERROR(s.BindText(2, a.target));
  PGV_RETURN_IF_ERROR(s.BindText(3, a.check_id));
  PGV_RETURN_IF_ERROR(s.BindText(4, a.object));
  PGV_RETURN_IF_ERROR(s.BindText(5, a.DedupKey()));
  PGV_RETURN_IF_ERROR(s.BindInt64(6, static_cast<int>(a.severity)));
  PGV_RETURN_IF_ERROR(s.BindText(7, model::AlertStateName(a.state)));
  PGV_RETURN_IF_ERROR(s.BindInt64(8, Micros(a.first_fired_at)));
  PGV_RETURN_IF_ERROR(s.BindInt64(9, Micros(a.last_changed_at)));
  PGV_RETURN_IF_ERROR(s.BindOptional(10, OptMicros(a.resolved_at)));
  PGV_RETURN_IF_ERROR(s.BindText(11, a.acked_by));
  PGV_RETURN_IF_ERROR(s.BindOptional(12, OptMicros(a.acked_at)));
  PGV_RETURN_IF_ERROR(s.BindText(13, a.ack_note));
  PGV_RETURN_IF_ERROR(s.BindOptional(14, a.value));
  PGV_RETURN_IF_ERROR(s.BindText(15, a.unit));
  PGV_RETURN_IF_ERROR(s.BindText(16, a.message));
  PGV_RETURN_IF_ERROR(s.BindText(17, a.recommendation));
  PGV_RETURN_IF_ERROR(s.BindOptional(18, OptMicros(a.clear_since)));
  PGV_RETURN_IF_ERROR(s.BindOptional(19, OptMicros(a.lower_since)));
  return s.BindOptional(20, OptMicros(a.last_notified_at));
}

}  // namespace

common::Result<std::unique_ptr<SqliteAlertStore>> SqliteAlertStore::Open(
    const std::string& path, const common::Clock& clock) {
  PGV_ASSIGN_OR_RETURN(SqliteDb db, SqliteDb::Open(path));
  PGV_ASSIGN_OR_RETURN(const int applied, ApplyMigrations(db, BuiltinMigrations(), clock.Now()));
  (void)applied;
  return std::unique_ptr<SqliteAlertStore>(new SqliteAlertStore(std::move(db)));
}

common::Status SqliteAlertStore::Commit(const model::AlertChanges& changes,
                                        std::span<const OutboxRow> outbox) {
  if (changes.empty() && outbox.empty()) return common::Status::Ok();
  std::lock_guard lock(mu_);
  return CommitLocked(changes, outbox).WithContext("commit alert changes");
}

common::Status SqliteAlertStore::CommitLocked(const model::AlertChanges& changes,
                                              std::span<const OutboxRow> outbox) {
  PGV_ASSIGN_OR_RETURN(DurableTransaction tx, DurableTransaction::Begin(db_));
  if (!changes.alerts.empty()) {
    PGV_ASSIGN_OR_RETURN(
        SqliteStatement upsert,
        db_.Prepare(
            "INSERT INTO alerts (id, target, check_id, object, dedup_key, severity, state, "
            "first_fired_at, last_changed_at, resolved_at, acked_by, acked_at, ack_note, value, "
            "unit, message, recommendation, clear_since, lower_since, last_notified_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
            "?18, ?19, ?20) ON CONFLICT (id) DO UPDATE SET severity = excluded.severity, "
            "state = excluded.state, last_changed_at = excluded.last_changed_at, "
            "resolved_at = excluded.resolved_at, acked_by = excluded.acked_by, "
            "acked_at = excluded.acked_at, ack_note = excluded.ack_note, value = excluded.value, "
            "unit = excluded.unit, message = excluded.message, "
            "recommendation = excluded.recommendation, clear_since = excluded.clear_since, "
            "lower_since = excluded.lower_since, last_notified_at = excluded.last_notified_at"));
    for (const model::Alert& a : changes.alerts) {
      PGV_RETURN_IF_ERROR(BindAlert(upsert, a));
      PGV_RETURN_IF_ERROR(upsert.Run());
      PGV_RETURN_IF_ERROR(upsert.Reset());
    }
  }
  if (!changes.events.empty()) {
    PGV_ASSIGN_OR_RETURN(SqliteStatement insert,
                         db_.Prepare("INSERT INTO alert_events (alert_id, at, kind, actor, note, "
                                     "severity) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    for (const model::AlertEvent& e : changes.events) {
      PGV_RETURN_IF_ERROR(insert.BindInt64(1, e.alert_id));
      PGV_RETURN_IF_ERROR(insert.BindInt64(2, Micros(e.at)));
      PGV_RETURN_IF_ERROR(insert.BindText(3, model::AlertEventKindName(e.kind)));
      PGV_RETURN_IF_ERROR(insert.BindText(4, e.actor));
      PGV_RETURN_IF_ERROR(insert.BindText(5, e.note));
      PGV_RETURN_IF_ERROR(insert.BindInt64(6, static_cast<int>(e.severity)));
      PGV_RETURN_IF_ERROR(insert.Run());
      PGV_RETURN_IF_ERROR(insert.Reset());
    }
  }
  if (!changes.silences.empty()) {
    PGV_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        db_.Prepare(
            "INSERT INTO silences (id, target_pattern, check_pattern, object_pattern, "
            "until, created_at, created_by, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    for (const model::Silence& s : changes.silences) {
      PGV_RETURN_IF_ERROR(insert.BindInt64(1, s.id));
      PGV_RETURN_IF_ERROR(insert.BindText(2, s.target_pattern));
      PGV_RETURN_IF_ERROR(insert.BindText(3, s.check_pattern));
      PGV_RETURN_IF_ERROR(insert.BindText(4, s.object_pattern));
      PGV_RETURN_IF_ERROR(insert.BindInt64(5, Micros(s.until)));
      PGV_RETURN_IF_ERROR(insert.BindInt64(6, Micros(s.created_at)));
      PGV_RETURN_IF_ERROR(insert.BindText(7, s.created_by));
      PGV_RETURN_IF_ERROR(insert.BindText(8, s.note));
      PGV_RETURN_IF_ERROR(insert.Run());
      PGV_RETURN_IF_ERROR(insert.Reset());
    }
  }
  if (changes.pending_target) {
    PGV_ASSIGN_OR_RETURN(SqliteStatement del,
                         db_.Prepare("DELETE FROM alert_pending WHERE target = ?1"));
    PGV_RETURN_IF_ERROR(del.BindText(1, *changes.pending_target));
    PGV_RETURN_IF_ERROR(del.Run());
    PGV_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        db_.Prepare("INSERT INTO alert_pending (dedup_key, target, check_id, object, severity, "
                    "first_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    for (const model::PendingCondition& p : changes.pending) {
      if (p.target != *changes.pending_target) {
        return common::InternalError("pending condition of target " + p.target +
                                     " in changes of target " + *changes.pending_target);
      }
      PGV_RETURN_IF_ERROR(insert.BindText(1, p.DedupKey()));
      PGV_RETURN_IF_ERROR(insert.BindText(2, p.target));
      PGV_RETURN_IF_ERROR(insert.BindText(3, p.check_id));
      PGV_RETURN_IF_ERROR(insert.BindText(4, p.object));
      PGV_RETURN_IF_ERROR(insert.BindInt64(5, static_cast<int>(p.severity)));
      PGV_RETURN_IF_ERROR(insert.BindInt64(6, Micros(p.first_seen)));
      PGV_RETURN_IF_ERROR(insert.Run());
      PGV_RETURN_IF_ERROR(insert.Reset());
    }
  }
  if (!outbox.empty()) {
    PGV_ASSIGN_OR_RETURN(
        SqliteStatement insert,
        db_.Prepare("INSERT INTO outbox (alert_id, channel, dedup_key, payload, created_at, "
                    "next_attempt_at, attempts, last_error, expires_at) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
    for (const OutboxRow& r : outbox) {
      if (r.alert_id == 0) {
        PGV_RETURN_IF_ERROR(insert.BindNull(1));  // a test notification
      } else {
        PGV_RETURN_IF_ERROR(insert.BindInt64(1, r.alert_id));
      }
      PGV_RETURN_IF_ERROR(insert.BindText(2, r.channel));
      PGV_RETURN_IF_ERROR(insert.BindText(3, r.dedup_key));
      PGV_RETURN_IF_ERROR(insert.BindText(4, r.payload_json));
      PGV_RETURN_IF_ERROR(insert.BindInt64(5, Micros(r.created_at)));
      PGV_RETURN_IF_ERROR(insert.BindInt64(6, Micros(r.next_attempt_at)));
      PGV_RETURN_IF_ERROR(insert.BindInt64(7, r.attempts));
      PGV_RETURN_IF_ERROR(insert.BindText(8, r.last_error));
      PGV_RETURN_IF_ERROR(insert.BindInt64(9, Micros(r.expires_at)));
      PGV_RETURN_IF_ERROR(insert.Run());
      PGV_RETURN_IF_ERROR(insert.Reset());
    }
  }
  return tx.Commit();
}

common::Result<model::PersistedAlertState> SqliteAlertStore::LoadState(common::Timestamp now) {
  std::lock_guard lock(mu_);
  model::PersistedAlertState state;
  {
    PGV_ASSIGN_OR_RETURN(SqliteStatement s,
                         db_.Prepare(fmt::format("SELECT {} FROM alerts WHERE state <> "
                                                 "'resolved' ORDER BY id",
                                                 kAlertColumns)));
    PGV_RETURN_IF_ERROR(ForEachRow(s, [&](SqliteStatement& row) -> common::Status {
      PGV_ASSIGN_OR_RETURN(model::Alert a, ReadAlert(row));
      state.open_alerts.push_back(std::move(a));
      return common::Status::Ok();
    }));
  }
  {
    PGV_ASSIGN_OR_RETURN(SqliteStatement s,
                         db_.Prepare("SELECT target, check_id, object, severity, first_seen "
                                     "FROM alert_pending ORDER BY dedup_key"));
    PGV_RETURN_IF_ERROR(ForEachRow(s, [&](SqliteStatement& row) {
      model::PendingCondition p;
      p.target = row.ColumnText(0);
      p.check_id = row.ColumnText(1);
      p.object = row.ColumnText(2);
      p.severity = SeverityFromRank(row.ColumnInt64(3));
      p.first_seen = FromMicros(row.ColumnInt64(4));
      state.pending.push_back(std::move(p));
      return common::Status::Ok();
    }));
  }
  {
    PGV_ASSIGN_OR_RETURN(
        SqliteStatement s,
        db_.Prepare("SELECT id, target_pattern, check_pattern, object_pattern, until, created_at, "
                    "created_by, note FROM silences WHERE until > ?1 ORDER BY id"));
    PGV_RETURN_IF_ERROR(s.BindInt64(1, Micros(now)));
    PGV_RETURN_IF_ERROR(ForEachRow(s, [&](SqliteStatement& row) {
      model::Silence x;
      x.id = row.ColumnInt64(0);
      x.target_pattern = row.ColumnText(1);
      x.check_pattern = row.ColumnText(2);
      x.object_pattern = row.ColumnText(3);
      x.until = FromMicros(row.ColumnInt64(4));
      x.created_at = FromMicros(row.ColumnInt64(5));
      x.created_by = row.ColumnText(6);
      x.note = row.ColumnText(7);
      state.silences.push_back(std::move(x));
      return common::Status::Ok();
    }));
  }
  {
    PGV_ASSIGN_OR_RETURN(SqliteStatement s,
                         db_.Prepare("SELECT (SELECT coalesce(max(id), 0) FROM alerts), "
                                     "(SELECT coalesce(max(id), 0) FROM silences)"));
    PGV_ASSIGN_OR_RETURN(const bool row, s.Step());
    if (!row) return common::InternalError("max ids: no row");
    state.max_alert_id = s.ColumnInt64(0);
    state.max_silence_id = s.ColumnInt64(1);
  }
  return state;
}

common::Result<std::vector<model::Alert>> SqliteAlertStore::ListAlerts(const AlertFilter& filter) {
  std::lock_guard lock(mu_);
  std::string where = "1 = 1";
  if (filter.state) where += " AND state = ?1";
  if (filter.severity) where += " AND severity = ?2";
  if (filter.target) where += " AND target = ?3";
  PGV_ASSIGN_OR_RETURN(SqliteStatement s,
                       db_.Prepare(fmt::format("SELECT {} FROM alerts WHERE {} ORDER BY id DESC "
                                               "LIMIT ?4",
                                               kAlertColumns, where)));
  if (filter.state) PGV_RETURN_IF_ERROR(s.BindText(1, model::AlertStateName(*filter.state)));
  if (filter.severity) PGV_RETURN_IF_ERROR(s.BindInt64(2, static_cast<int>(*filter.severity)));
  if (filter.target) PGV_RETURN_IF_ERROR(s.BindText(3, *filter.target));
  PGV_RETURN_IF_ERROR(s.BindInt64(4, filter.limit));
  std::vector<model::Alert> alerts;
  PGV_RETURN_IF_ERROR(ForEachRow(s, [&](SqliteStatement& row) -> common::Status {
    PGV_ASSIGN_OR_RETURN(model::Alert a, ReadAlert(row));
    alerts.push_back(std::move(a));
    return common::Status::Ok();
  }));
  return alerts;
}

common::Result<model::Alert> SqliteAlertStore::GetAlert(std::int64_t id) {
  std::lock_guard lock(mu_);
  PGV_ASSIGN_OR_RETURN(
      SqliteStatement s,
      db_.Prepare(fmt::format("SELECT {} FROM alerts WHERE id = ?1", kAlertColumns)));
  PGV_RETURN_IF_ERROR(s.BindInt64(1, id));
  PGV_ASSIGN_OR_RETURN(const bool row, s.Step());
  if (!row) return common::NotFoundError("no alert with id " + std::to_string(id));
  return ReadAlert(s);
}

common::Result<std::vector<model::AlertEvent>> SqliteAlertStore::Events(std::int64_t alert_id) {
  std::lock_guard lock(mu_);
  PGV_ASSIGN_OR_RETURN(SqliteStatement s,
                       db_.Prepare("SELECT id, alert_id, at, kind, actor, note, severity FROM "
                                   "alert_events WHERE alert_id = ?1 ORDER BY id"));
  PGV_RETURN_IF_ERROR(s.BindInt64(1, alert_id));
  std::vector<model::AlertEvent> events;
  PGV_RETURN_IF_ERROR(ForEachRow(s, [&](SqliteStatement& row) -> common::Status {
    model::AlertEvent e;
    e.id = row.ColumnInt64(0);
    e.alert_id = row.ColumnInt64(1);
    e.at = FromMicros(row.ColumnInt64(2));
    const std::string kind = row.ColumnText(3);
    auto parsed = model::ParseAlertEventKind(kind);
    if (!parsed) return common::InternalError("alert event " + std::to_string(e.id) + ": " + kind);
    e.kind = *parsed;
    e.actor = row.ColumnText(4);
    e.note = row.ColumnText(5);
    e.severity = SeverityFromRank(row.ColumnInt64(6));
    events.push_back(std::move(e));
    return common::Status::Ok();
  }));
  return events;
}

common::Result<std::vector<OutboxRow>> SqliteAlertStore::DueOutbox(common::Timestamp now,
                                                                   int limit) {
  std::lock_guard lock(mu_);
  // Kept prepared: the delivery thread asks four times a second, and preparing it each time was
  // a tenth of an idle daemon's CPU on a large database (docs/benchmarks.md).
  PGV_ASSIGN_OR_RETURN(
      SqliteDb::Lease s,
      db_.Cached("SELECT id, coalesce(alert_id, 0), channel, dedup_key, payload, created_at, "
                 "next_attempt_at, attempts, last_error, delivered_at, expires_at, expired_at "
                 "FROM outbox WHERE delivered_at IS NULL AND expired_at IS NULL AND "
                 "next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2"));
  PGV_RETURN_IF_ERROR(s->BindInt64(1, Micros(now)));
  PGV_RETURN_IF_ERROR(s->BindInt64(2, limit));
  std::vector<OutboxRow> rows;
  PGV_RETURN_IF_ERROR(ForEachRow(*s, [&](SqliteStatement& row) {
    OutboxRow r;
    r.id = row.ColumnInt64(0);
    r.alert_id = row.ColumnInt64(1);
    r.channel = row.ColumnText(2);
    r.dedup_key = row.ColumnText(3);
    r.payload_json = row.ColumnText(4);
    r.created_at = FromMicros(row.ColumnInt64(5));
    r.next_attempt_at = FromMicros(row.ColumnInt64(6));
    r.attempts = static_cast<int>(row.ColumnInt64(7));
    r.last_error = row.ColumnText(8);
    r.delivered_at = OptTime(row, 9);
    r.expires_at = FromMicros(row.ColumnInt64(10));
    r.expired_at = OptTime(row, 11);
    rows.push_back(std::move(r));
    return common::Status::Ok();
  }));
  return rows;
}

common::Status SqliteAlertStore::MarkDelivered(std::int64_t id, int attempts,
                                               common::Timestamp at) {
  std::lock_guard lock(mu_);
  PGV_ASSIGN_OR_RETURN(DurableTransaction tx, DurableTransaction::Begin(db_));
  PGV_ASSIGN_OR_RETURN(
      SqliteStatement s,
      db_.Prepare("UPDATE outbox SET delivered_at = ?2, attempts = ?3 WHERE id = ?1"));
  PGV_RETURN_IF_ERROR(s.BindInt64(1, id));
  PGV_RETURN_IF_ERROR(s.BindInt64(2, Micros(at)));
  PGV_RETURN_IF_ERROR(s.BindInt64(3, attempts));
  PGV_RETURN_IF_ERROR(s.Run());
  if (db_.Changes() == 0) return common::NotFoundError("no outbox row " + std::to_string(id));
  return tx.Commit();
}

common::Status SqliteAlertStore::MarkFailed(std::int64_t id, int attempts,
                                            common::Timestamp next_attempt_at,
                                            const std::string& error) {
  std::lock_guard lock(mu_);
  PGV_ASSIGN_OR_RETURN(DurableTransaction tx, DurableTransaction::Begin(db_));
  PGV_ASSIGN_OR_RETURN(SqliteStatement s,
                       db_.Prepare("UPDATE outbox SET next_attempt_at = ?2, attempts = ?3, "
                                   "last_error = ?4 WHERE id = ?1"));
  PGV_RETURN_IF_ERROR(s.BindInt64(1, id));
  PGV_RETURN_IF_ERROR(s.BindInt64(2, Micros(next_attempt_at)));
  PGV_RETURN_IF_ERROR(s.BindInt64(3, attempts));
  PGV_RETURN_IF_ERROR(s.BindText(4, error));
  PGV_RETURN_IF_ERROR(s.Run());
  if (db_.Changes() == 0) return common::NotFoundError("no outbox row " + std::to_string(id));
  return tx.Commit();
}

common::Status SqliteAlertStore::MarkExpired(std::int64_t id, int attempts,
                                             const std::string& error, common::Timestamp at) {
  std::lock_guard lock(mu_);
  PGV_ASSIGN_OR_RETURN(DurableTransaction tx, DurableTransaction::Begin(db_));
  PGV_ASSIGN_OR_RETURN(SqliteStatement s,
                       db_.Prepare("UPDATE outbox SET expired_at = ?2, attempts = ?3, "
                                   "last_error = ?4 WHERE id = ?1"));
  PGV_RETURN_IF_ERROR(s.BindInt64(1, id));
  PGV_RETURN_IF_ERROR(s.BindInt64(2, Micros(at)));
  PGV_RETURN_IF_ERROR(s.BindInt64(3, attempts));
  PGV_RETURN_IF_ERROR(s.BindText(4, error));
  PGV_RETURN_IF_ERROR(s.Run());
  if (db_.Changes() == 0) return common::NotFoundError("no outbox row " + std::to_string(id));
  return tx.Commit();
}

}  // namespace pgvigil::store
