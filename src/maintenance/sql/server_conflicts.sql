/* pgvigil */
-- Vacuums (manual or autovacuum), analyzes, index builds and CLUSTER / VACUUM FULL running on
-- table $1 in this database. relid is visible only to roles with pg_read_all_stats (or the
-- same role): docs/maintenance.md asks for pg_monitor on the maintenance role.
WITH db AS (SELECT oid FROM pg_database WHERE datname = current_database())
SELECT p.pid,
       CASE WHEN a.backend_type = 'autovacuum worker' THEN 'autovacuum' ELSE 'VACUUM' END AS command,
       p.phase
  FROM pg_stat_progress_vacuum p LEFT JOIN pg_stat_activity a ON a.pid = p.pid
 WHERE p.datid = (SELECT oid FROM db) AND p.relid = $1::bigint::oid
UNION ALL
SELECT p.pid,
       CASE WHEN a.backend_type = 'autovacuum worker' THEN 'autoanalyze' ELSE 'ANALYZE' END,
       p.phase
  FROM pg_stat_progress_analyze p LEFT JOIN pg_stat_activity a ON a.pid = p.pid
 WHERE p.datid = (SELECT oid FROM db) AND p.relid = $1::bigint::oid
UNION ALL
SELECT p.pid, p.command, p.phase
  FROM pg_stat_progress_create_index p
 WHERE p.datid = (SELECT oid FROM db) AND p.relid = $1::bigint::oid
UNION ALL
SELECT p.pid, p.command, p.phase
  FROM pg_stat_progress_cluster p
 WHERE p.datid = (SELECT oid FROM db) AND p.relid = $1::bigint::oid
