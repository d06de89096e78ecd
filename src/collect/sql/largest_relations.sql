-- pg_class: measured sizes of the {{limit}} largest user tables and materialized views by
-- relpages (no size function on the whole catalogue). The size functions take ACCESS SHARE on
-- the table, its indexes and its TOAST table, so a table where an ACCESS EXCLUSIVE lock is
-- held or awaited on any of them is left out rather than queued behind it, with the
-- application behind us: exclusively_locked_relations.sql lists those.
with recursive locked(relid, locked_relid, pid, granted) as (
    -- ACCESS EXCLUSIVE locks of this database, held or awaited (pid NULL: a prepared transaction)
    select l.relation, l.relation, l.pid, l.granted
    from pg_catalog.pg_locks l
    where l.locktype = 'relation'
      and l.mode = 'AccessExclusiveLock'
      and l.database = (select d.oid from pg_catalog.pg_database d
                        where d.datname = current_database())
    union all
    -- a lock on an index or a TOAST table also stops the size functions of the table it belongs
    -- to (a TOAST table's index leads to the TOAST table, then to its table)
    select coalesce(i.indrelid, t.oid), lk.locked_relid, lk.pid, lk.granted
    from locked lk
    left join pg_catalog.pg_index i on i.indexrelid = lk.relid
    left join pg_catalog.pg_class t on t.reltoastrelid = lk.relid
    where i.indrelid is not null or t.oid is not null
),
largest as (
    -- chosen by relpages (as of the last VACUUM or ANALYZE): no size function on the catalogue
    select c.oid, c.relname, c.relkind, c.relpages, n.nspname
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'm')
      and c.relpersistence <> 't'
      and n.nspname not in ('pg_catalog', 'information_schema')
      and n.nspname !~ '^pg_toast'
    order by c.relpages desc, c.oid
    limit {{limit}}
)
select /* pgvigil */
    current_database() as datname,
    r.oid as relid,
    r.nspname as schemaname,
    r.relname,
    r.relkind::text as relkind,
    pg_total_relation_size(r.oid) as total_bytes,
    pg_table_size(r.oid) as table_bytes,
    pg_indexes_size(r.oid) as indexes_bytes
from largest r
where r.oid not in (select lk.relid from locked lk)
order by r.relpages desc, r.oid;
