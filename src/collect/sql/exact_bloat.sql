-- pgstattuple: measured free and dead space of the given relations (`pgvigil check --exact`,
-- for the tables and btree indexes the bloat estimate flagged). {{oids}} is a comma-separated
-- list of integers, {{schema}} the quoted schema of the extension. Tables: pgstattuple_approx
-- (reads only the pages the visibility map does not vouch for); btree indexes: pgstatindex
-- (reads the whole index). Both take ACCESS SHARE, which would queue behind an ACCESS EXCLUSIVE
-- lock (and the application behind us): a relation (or an index's table) with one held or
-- awaited is reported as skipped, without calling the function. CASE never evaluates the
-- branch not taken; the figures travel as arrays (the functions return anonymous records).
with blocking as materialized (
    select distinct l.relation as relid
    from pg_catalog.pg_locks l
    where l.locktype = 'relation'
      and l.mode = 'AccessExclusiveLock'
      and l.database = (select d.oid from pg_catalog.pg_database d
                        where d.datname = current_database())
),
targets as materialized (
    select c.oid,
           c.relkind::text as relkind,
           coalesce(am.amname::text, '') as access_method,
           c.relpersistence = 't' as is_temp,
           exists (select 1 from blocking b
                   where b.relid = c.oid or b.relid = i.indrelid) as locked,
           coalesce((select o.option_value::float8
                     from pg_catalog.pg_options_to_table(c.reloptions) o
                     where o.option_name = 'fillfactor'), 90) as index_fillfactor
    from pg_catalog.pg_class c
    left join pg_catalog.pg_index i on i.indexrelid = c.oid
    left join pg_catalog.pg_am am on am.oid = c.relam
    where c.oid in ({{oids}})
),
measured as materialized (
    select t.oid, t.relkind, t.access_method, t.index_fillfactor,
           case when t.locked then 'an ACCESS EXCLUSIVE lock is held or awaited on it'
                when t.is_temp then 'a temporary relation'
                when t.relkind = 'i' and t.access_method <> 'btree' then 'not a btree index'
                when t.relkind not in ('r', 'm', 'i') then 'neither a table nor an index'
                else '' end as skipped,
           case when not t.locked and not t.is_temp and t.relkind in ('r', 'm')
                then (select array[h.approx_free_percent, h.dead_tuple_percent,
                                   h.table_len]::float8[]
                      from {{schema}}.pgstattuple_approx(t.oid::regclass) h) end as heap,
           case when not t.locked and not t.is_temp and t.relkind = 'i'
                     and t.access_method = 'btree'
                then (select array[x.index_size, x.leaf_pages, x.empty_pages, x.deleted_pages,
                                   x.internal_pages, x.avg_leaf_density]::float8[]
                      from {{schema}}.pgstatindex(t.oid::regclass) x) end as btree
    from targets t
)
select /* pgvigil */
    m.oid,
    m.relkind,
    m.skipped,
    m.heap[1] as approx_free_percent,
    m.heap[2] as dead_tuple_percent,
    m.heap[3]::bigint as table_len,
    m.btree[1]::bigint as index_size,
    m.btree[2]::bigint as leaf_pages,
    m.btree[3]::bigint as empty_pages,
    m.btree[4]::bigint as deleted_pages,
    m.btree[5]::bigint as internal_pages,
    -- NaN when the index has no leaf pages
    case when m.btree[2] > 0 then m.btree[6] end as avg_leaf_density,
    m.index_fillfactor
from measured m
order by m.oid;
