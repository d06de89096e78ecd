-- 0001_init: the history store's first schema. Timestamps are microseconds since the Unix
-- epoch (UTC), as common::Timestamp keeps them. Never edit this file once released: add
-- 0002_….sql instead (docs/store.md).

CREATE TABLE targets (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);

-- One row per (target, metric, label set); labels in canonical form: "datname=app,state=idle"
-- (keys sorted; '\', ',' and '=' inside keys and values escaped with '\').
-- rolled_5m_until / rolled_1h_until: roll-ups cover the series up to (excluding) these.
CREATE TABLE series (
  id INTEGER PRIMARY KEY,
  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
  metric TEXT NOT NULL,
  labels TEXT NOT NULL,
  rolled_5m_until INTEGER,
  rolled_1h_until INTEGER,
  UNIQUE (target_id, metric, labels)
);

CREATE TABLE points_raw (
  series_id INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE,
  ts INTEGER NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (series_id, ts)
) WITHOUT ROWID;

-- Roll-ups: one row per series and bucket (its start). avg = sum / count; last is the value
-- of the latest point in the bucket (at last_ts).
CREATE TABLE points_5m (
  series_id INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE,
  bucket INTEGER NOT NULL,
  count INTEGER NOT NULL,
  sum REAL NOT NULL,
  min REAL NOT NULL,
  max REAL NOT NULL,
  last REAL NOT NULL,
  last_ts INTEGER NOT NULL,
  PRIMARY KEY (series_id, bucket)
) WITHOUT ROWID;

CREATE TABLE points_1h (
  series_id INTEGER NOT NULL REFERENCES series (id) ON DELETE CASCADE,
  bucket INTEGER NOT NULL,
  count INTEGER NOT NULL,
  sum REAL NOT NULL,
  min REAL NOT NULL,
  max REAL NOT NULL,
  last REAL NOT NULL,
  last_ts INTEGER NOT NULL,
  PRIMARY KEY (series_id, bucket)
) WITHOUT ROWID;

-- One row per stored sample of a target: what the history checks need to compare counters
-- (the server's life, the role's visibility, pg_stat_statements_info) and which parts it holds.
CREATE TABLE samples (
  id INTEGER PRIMARY KEY,
  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
  collected_at INTEGER NOT NULL,
  postmaster_start_time INTEGER NOT NULL,
  current_user TEXT NOT NULL,
  is_superuser INTEGER NOT NULL,
  has_read_all_stats INTEGER NOT NULL,
  has_statements INTEGER NOT NULL DEFAULT 0,
  statements_dealloc INTEGER,
  statements_stats_reset INTEGER,
  has_tables INTEGER NOT NULL DEFAULT 0,
  has_indexes INTEGER NOT NULL DEFAULT 0,
  has_sizes INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX samples_by_target_time ON samples (target_id, collected_at);

-- pg_stat_statements, the top entries of a sample (cumulative counters).
CREATE TABLE statement_samples (
  sample_id INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
  userid INTEGER NOT NULL,
  dbid INTEGER NOT NULL,
  queryid INTEGER NOT NULL,
  toplevel INTEGER,
  rolname TEXT NOT NULL,
  datname TEXT NOT NULL,
  calls INTEGER NOT NULL,
  total_exec_time REAL NOT NULL,
  mean_exec_time REAL NOT NULL,
  rows INTEGER NOT NULL,
  shared_blks_hit INTEGER NOT NULL,
  shared_blks_read INTEGER NOT NULL,
  temp_blks_written INTEGER NOT NULL,
  stats_since INTEGER
);
CREATE INDEX statement_samples_by_sample ON statement_samples (sample_id);
CREATE INDEX statement_samples_by_queryid ON statement_samples (queryid);

CREATE TABLE table_samples (
  sample_id INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
  datname TEXT NOT NULL,
  relid INTEGER NOT NULL,
  schemaname TEXT NOT NULL,
  relname TEXT NOT NULL,
  seq_scan INTEGER NOT NULL,
  idx_scan INTEGER,
  n_live_tup INTEGER NOT NULL,
  n_dead_tup INTEGER NOT NULL,
  estimated_size_bytes INTEGER NOT NULL,
  total_bytes INTEGER  -- pg_total_relation_size, for the largest relations only
);
CREATE INDEX table_samples_by_sample ON table_samples (sample_id);

CREATE TABLE index_samples (
  sample_id INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
  datname TEXT NOT NULL,
  relid INTEGER NOT NULL,
  indexrelid INTEGER NOT NULL,
  schemaname TEXT NOT NULL,
  relname TEXT NOT NULL,
  indexrelname TEXT NOT NULL,
  idx_scan INTEGER NOT NULL,
  estimated_size_bytes INTEGER NOT NULL
);
CREATE INDEX index_samples_by_sample ON index_samples (sample_id);

CREATE TABLE database_size_samples (
  sample_id INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
  datname TEXT NOT NULL,
  size_bytes INTEGER NOT NULL
);
CREATE INDEX database_size_samples_by_sample ON database_size_samples (sample_id);

-- Findings history: an episode is one finding (id, object) seen without interruption; it is
-- open while closed_at is NULL. Severities: 0 ok, 1 info, 2 warning, 3 critical.
CREATE TABLE finding_episodes (
  id INTEGER PRIMARY KEY,
  target_id INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
  finding_id TEXT NOT NULL,
  object TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  closed_at INTEGER,
  worst_severity INTEGER NOT NULL,
  last_severity INTEGER NOT NULL,
  last_value REAL,
  unit TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE UNIQUE INDEX finding_episodes_open ON finding_episodes (target_id, finding_id, object)
  WHERE closed_at IS NULL;
CREATE INDEX finding_episodes_by_time ON finding_episodes (target_id, first_seen);
CREATE INDEX finding_episodes_closed ON finding_episodes (closed_at) WHERE closed_at IS NOT NULL;
