-- pg_locks: the tables among the {{limit}} largest that largest_relations.sql leaves out because
-- an ACCESS EXCLUSIVE lock is held or awaited on them, an index or their TOAST table; one row
-- per table, a holder before a waiter.
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
select /* pgvigil */ distinct on (r.oid)
    current_database() as datname,
    r.oid as relid,
    r.nspname as schemaname,
    r.relname,
    lk.pid,
    lk.granted,
    case when lk.locked_relid <> r.oid then lk.locked_relid::regclass::text else '' end
        as locked_relation
from largest r
join locked lk on lk.relid = r.oid
order by r.oid, lk.granted desc, lk.pid;
