-- Before terminating backend $1 (started at $2): if it is running a statement, cancel that first
-- so the statement ends by its own error handling; the runner then waits the policy's
-- cancel_grace. signalled is NULL when the process is not there or not active; pinned tells
-- the two apart, pid_exists "changed" from "gone" as in recovery_cancel.sql.
-- $1 (pid) and $2 (backend_start) are bind parameters (recovery_statements.h).
select /* pgvigil */
    (select case when a.state = 'active' then pg_catalog.pg_cancel_backend(a.pid) end
       from pg_catalog.pg_stat_activity a
      where a.pid = $1 and a.backend_start = $2::timestamptz) as signalled,
    exists (select from pg_catalog.pg_stat_activity a
             where a.pid = $1 and a.backend_start = $2::timestamptz) as pinned,
    exists (select from pg_catalog.pg_stat_activity a where a.pid = $1) as pid_exists;
