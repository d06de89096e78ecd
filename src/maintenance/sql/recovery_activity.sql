-- Recovery's view of pg_stat_activity: every backend with what the protections need (its
-- role's rolsuper, backend_type) and the ages the thresholds compare (server clock).
-- backend_start is printed in UTC ISO 8601 with microseconds whatever DateStyle / TimeZone
-- say, so it reads back as the same timestamptz in the statements that pin the process.
-- Without pg_read_all_stats (pg_monitor) other roles' state and query are NULL: never selected.
select /* pgvigil */
    a.pid,
    to_char(a.backend_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as backend_start,
    a.datname,
    a.usename,
    coalesce(r.rolsuper, false) as rolsuper,
    a.application_name,
    a.backend_type,
    a.state,
    extract(epoch from clock_timestamp() - a.query_start)::float8 as query_age_seconds,
    extract(epoch from clock_timestamp() - a.state_change)::float8 as state_age_seconds,
    a.query,
    a.pid = pg_backend_pid() as is_self
from pg_catalog.pg_stat_activity a
left join pg_catalog.pg_roles r on r.oid = a.usesysid
where a.backend_start is not null
order by a.pid;
