-- pg_locks + pg_stat_activity: backends waiting for a heavyweight lock and the pids that block them (pg_blocking_pids is only called for those); 14+ times the wait from pg_locks.waitstart
select /* pgvigil */
    a.pid,
    pg_catalog.pg_blocking_pids(a.pid) as blocking_pids,
    l.locktype,
    l.mode,
    -- Resolved through the catalog (no lock on the relation); a relation of another database
    -- cannot be resolved from here and is reported by OID.
    case
        when c.oid is not null then pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
        when l.relation is not null then l.relation::text
    end as relation,
    a.datname,
    -- waitstart is set a moment after the wait begins: until then, fall back to state_change.
    extract(epoch from clock_timestamp() - coalesce(l.waitstart, a.state_change))::float8 as wait_seconds,
    l.waitstart is not null as is_wait_start_exact
from pg_catalog.pg_stat_activity a
join pg_catalog.pg_locks l on l.pid = a.pid and not l.granted
left join pg_catalog.pg_class c
    on c.oid = l.relation
    and l.database in (0, (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database()))
left join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where a.wait_event_type = 'Lock';
