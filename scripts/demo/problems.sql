-- What happened to the demo database after it was loaded and analyzed: the history behind the
-- planted bloat (schema.sql, table sessions). Run by scripts/demo-workload.sh after ANALYZE,
-- so the statistics still describe the table as it was before.

SET client_min_messages = warning;

-- The nightly expiry job caught up after weeks of failing: two thirds of the sessions go.
DELETE FROM sessions WHERE expires_at < now();
-- A release added a preference to every session, rewriting each remaining row.
UPDATE sessions SET data = data || '{"theme": "light"}';
-- Autovacuum is off for sessions (schema.sql), so nothing reclaims the dead rows, and nothing
-- re-analyzes the table either: table.vacuum_overdue, table.analyze_overdue.
