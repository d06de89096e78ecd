-- Terminates backend $1 only if it is still the process that started at $2 (no PID reuse), in
-- one statement; signalled NULL and pid_exists as in recovery_cancel.sql.
-- $1 (pid) and $2 (backend_start) are bind parameters (recovery_statements.h).
select /* pgvigil */
    (select pg_catalog.pg_terminate_backend(a.pid)
       from pg_catalog.pg_stat_activity a
      where a.pid = $1 and a.backend_start = $2::timestamptz) as signalled,
    exists (select from pg_catalog.pg_stat_activity a where a.pid = $1) as pid_exists;
