-- 0002_alerts: alerts, their audit trail, silences, pending `for` timers and the notification
-- outbox (docs/store.md, docs/alerts.md). Written by store::SqliteAlertStore, every change in
-- one synchronous=FULL transaction. Timestamps are microseconds since the Unix epoch (UTC);
-- severities are model::Severity's rank (0 ok, 1 info, 2 warning, 3 critical).

-- One row per alert, from firing to resolved. Ids come from the evaluator (never reused).
-- clear_since / lower_since / last_notified_at are the evaluator's timers of an open alert.
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  target TEXT NOT NULL,
  check_id TEXT NOT NULL,
  object TEXT NOT NULL,
  dedup_key TEXT NOT NULL,
  severity INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('firing', 'acknowledged', 'resolved')),
  first_fired_at INTEGER NOT NULL,
  last_changed_at INTEGER NOT NULL,
  resolved_at INTEGER,
  acked_by TEXT NOT NULL DEFAULT '',
  acked_at INTEGER,
  ack_note TEXT NOT NULL DEFAULT '',
  value REAL,
  unit TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL DEFAULT '',
  recommendation TEXT NOT NULL DEFAULT '',
  clear_since INTEGER,
  lower_since INTEGER,
  last_notified_at INTEGER
);
-- One alert per (target, check, object) at a time.
CREATE UNIQUE INDEX alerts_one_open_per_key ON alerts (dedup_key) WHERE state <> 'resolved';
CREATE INDEX alerts_by_state ON alerts (state, severity);
CREATE INDEX alerts_by_target ON alerts (target, state);

-- The audit trail: one row per transition or operator action.
CREATE TABLE alert_events (
  id INTEGER PRIMARY KEY,
  alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  actor TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  severity INTEGER NOT NULL
);
CREATE INDEX alert_events_by_alert ON alert_events (alert_id, id);

-- Matchers are shell globs; a silence stops notifications (not transitions) until `until`.
CREATE TABLE silences (
  id INTEGER PRIMARY KEY,
  target_pattern TEXT NOT NULL,
  check_pattern TEXT NOT NULL,
  object_pattern TEXT NOT NULL,
  until INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT ''
);

-- Conditions seen but not yet held for their rule's `for`: replaced per target on change.
CREATE TABLE alert_pending (
  dedup_key TEXT PRIMARY KEY,
  target TEXT NOT NULL,
  check_id TEXT NOT NULL,
  object TEXT NOT NULL,
  severity INTEGER NOT NULL,
  first_seen INTEGER NOT NULL
);
CREATE INDEX alert_pending_by_target ON alert_pending (target);

-- Notifications committed with the transition that caused them, before any is sent; the
-- delivery worker sends due rows and records the outcome (at least once, same dedup_key).
-- expired_at: the worker gave up (past expires_at); the row is kept for the record.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  alert_id INTEGER REFERENCES alerts (id) ON DELETE CASCADE,
  channel TEXT NOT NULL,
  dedup_key TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  delivered_at INTEGER,
  expires_at INTEGER NOT NULL,
  expired_at INTEGER
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL AND expired_at IS NULL;
