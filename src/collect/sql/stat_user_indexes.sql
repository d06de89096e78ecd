-- pg_stat_user_indexes + pg_statio_user_indexes + pg_index: usage counters per user index and
-- the parts of its definition that duplicate and redundancy checks compare, PostgreSQL 13.
-- The whole definition (pg_get_indexdef) is not read: it doubled the query's cost on a large
-- catalogue, and the parts below are what checks compare. The deparser (pg_get_expr, pg_get_indexdef) takes ACCESS SHARE on the table: for a table
-- where an ACCESS EXCLUSIVE lock is held or awaited, its indexes come back with lock_pid set
-- and without the deparsed parts, instead of queueing (and the application behind us).
with blocking as materialized (
    -- ACCESS EXCLUSIVE locks of this database, held or awaited: one per relation, holder first
    select distinct on (l.relation) l.relation as relid, l.pid, l.granted
    from pg_catalog.pg_locks l
    where l.locktype = 'relation'
      and l.mode = 'AccessExclusiveLock'
      and l.database = (select d.oid from pg_catalog.pg_database d
                        where d.datname = current_database())
    order by l.relation, l.granted desc, l.pid
)
select /* pgvigil */
    current_database() as datname,
    s.relid,
    s.indexrelid,
    s.schemaname,
    s.relname,
    s.indexrelname,
    s.idx_scan,
    s.idx_tup_read,
    s.idx_tup_fetch,
    io.idx_blks_read,
    io.idx_blks_hit,
    c.reltuples::float8 as reltuples,
    c.relpages::bigint as relpages,
    greatest(c.relpages, 0)::bigint * current_setting('block_size')::bigint as estimated_size_bytes,
    am.amname::text as access_method,
    i.indisunique,
    i.indisprimary,
    i.indisexclusion,
    i.indimmediate,
    i.indisvalid,
    i.indisready,
    i.indislive,
    i.indnkeyatts::int as indnkeyatts,
    cols.key_columns,
    keys.opclasses,
    keys.collations,
    keys.indoption,
    case when b.relid is null then coalesce(pg_get_expr(i.indpred, i.indrelid, true), '') end
        as predicate,
    coalesce(con.conname::text, '') as constraint_name,
    coalesce(con.contype::text, '') as constraint_type,
    b.pid as lock_pid,
    b.granted as lock_granted
from pg_catalog.pg_stat_user_indexes s
join pg_catalog.pg_index i on i.indexrelid = s.indexrelid
join pg_catalog.pg_class c on c.oid = s.indexrelid
join pg_catalog.pg_am am on am.oid = c.relam
left join pg_catalog.pg_statio_user_indexes io on io.indexrelid = s.indexrelid
left join blocking b on b.relid = s.relid
-- Only these constraint types own their index: a foreign key's conindid names the referenced
-- table's index, which would duplicate that index's row.
left join pg_catalog.pg_constraint con
    on con.conindid = s.indexrelid and con.contype in ('p', 'u', 'x')
-- Per index, not per catalogue: each lateral reads only this index's own columns. A plain
-- column's name is what pg_get_indexdef(oid, n, true) would print, at a fraction of its cost
-- and without its lock; only expressions (indkey 0) need the deparser.
cross join lateral (
    select array_agg(
               case when k.attnum <> 0
                    then (select quote_ident(a.attname) from pg_catalog.pg_attribute a
                          where a.attrelid = i.indrelid and a.attnum = k.attnum)
                    when b.relid is null then pg_get_indexdef(i.indexrelid, k.n::int, true)
               end order by k.n) as key_columns
    from unnest(i.indkey::int2[]) with ordinality as k(attnum, n)
) cols
cross join lateral (
    select array_agg(coalesce(opc.opcname::text, '') order by k.n) as opclasses,
           array_agg(case when k.coll = 0 or coll.collname = 'default' then ''
                          else coalesce(coll.collname::text, '') end order by k.n) as collations,
           array_agg(k.opt::int order by k.n) as indoption
    -- int2vector and oidvector are 0-based arrays ("[0:1]={0,3}"): unnest them, never print them
    from unnest(i.indclass::oid[], i.indcollation::oid[], i.indoption::int2[])
        with ordinality as k(opc, coll, opt, n)
    left join pg_catalog.pg_opclass opc on opc.oid = k.opc
    left join pg_catalog.pg_collation coll on coll.oid = k.coll
) keys;
