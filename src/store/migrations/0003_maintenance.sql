-- 0003_maintenance: the audit trail of maintenance and recovery operations (issue 6,
-- docs/maintenance.md). Written by store::SqliteMaintenanceStore, every write in one
-- synchronous=FULL transaction: the intent (state queued or running) is on disk before any SQL
-- runs on the target, the outcome replaces it after. A row left queued or running by a crash is
-- turned into state 'unknown' at start-up (ReconcileUnfinished). Timestamps are microseconds
-- since the Unix epoch (UTC). options, guards, before, after, progress and backends are JSON
-- text (store/operation_json.h); dry runs and refusals are kept too (they are audit).
CREATE TABLE maintenance_operations (
  id INTEGER PRIMARY KEY,
  target TEXT NOT NULL,
  database TEXT NOT NULL,
  operation TEXT NOT NULL CHECK (operation IN ('vacuum', 'analyze', 'reindex_index',
                                               'reindex_table', 'recovery')),
  object TEXT NOT NULL,
  options TEXT NOT NULL,
  sql TEXT NOT NULL,
  guards TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('planned', 'refused', 'queued', 'running', 'completed',
                                       'failed', 'cancelled', 'unknown')),
  initiator TEXT NOT NULL,
  initiator_role TEXT NOT NULL,
  forced INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  before TEXT NOT NULL,
  after TEXT NOT NULL,
  lock_attempts INTEGER NOT NULL DEFAULT 0,
  sqlstate TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL DEFAULT '',
  progress TEXT,
  backends TEXT NOT NULL
);
-- The history, newest first, of everything or of one target.
CREATE INDEX maintenance_operations_by_target ON maintenance_operations (target, id);
-- What is running (and what a crash left unfinished): a small partial index.
CREATE INDEX maintenance_operations_unfinished ON maintenance_operations (state)
  WHERE state IN ('queued', 'running');
