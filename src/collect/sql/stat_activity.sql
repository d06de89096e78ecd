-- pg_stat_activity: every backend with its state, waits and ages (server clock), PostgreSQL 13
select /* pgvigil */
    a.pid,
    a.leader_pid,
    a.datname,
    a.usename,
    a.application_name,
    host(a.client_addr) as client_addr,
    a.backend_type,
    a.state,
    a.wait_event_type,
    a.wait_event,
    extract(epoch from clock_timestamp() - a.backend_start)::float8 as backend_age_seconds,
    extract(epoch from clock_timestamp() - a.xact_start)::float8 as xact_age_seconds,
    extract(epoch from clock_timestamp() - a.query_start)::float8 as query_age_seconds,
    extract(epoch from clock_timestamp() - a.state_change)::float8 as state_age_seconds,
    age(a.backend_xid) as backend_xid_age,
    age(a.backend_xmin) as backend_xmin_age,
    a.query
from pg_catalog.pg_stat_activity a;
