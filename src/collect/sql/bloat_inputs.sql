-- pg_stats + pg_class + pg_index: the inputs of the statistical bloat estimate (the approach of
-- check_postgres, pgwatch and ioguix's bloat queries), per user table and per btree index of the
-- current database: pages and tuples as of the last VACUUM/ANALYZE, fillfactor, and the width
-- of an average tuple from pg_stats' avg_width and null_frac, with header, null bitmap and
-- MAXALIGN padding added as those queries do. analysis/ turns them into expected pages.
--
-- pg_stats shows a column only to a role that may SELECT it (pg_read_all_data, or a grant):
-- every relation comes back with how many of its columns have visible statistics, and the
-- collector keeps only the complete ones. pg_stats is a view over pg_statistic and the
-- catalogues: no lock is taken on any user relation, and no size function runs.
with const as materialized (
    select current_setting('block_size')::int as bs,
           -- MAXALIGN: 8 on every 64-bit build (version() says "64-bit"), else 4
           case when version() ~ '64-bit|x86_64|aarch64|ppc64|amd64|ia64|mingw32' then 8 else 4 end
               as ma,
           -- a relation smaller than this cannot waste enough to matter: left out, which keeps
           -- the cost proportional to the relations that can be bloated
           1048576 as min_bytes
),
big_idx as materialized (
    select i.indexrelid, i.indrelid, ci.relname::text as indexrelname, ci.reltuples, ci.relpages,
           ci.reloptions, i.indkey
    from pg_catalog.pg_index i
    join pg_catalog.pg_class ci on ci.oid = i.indexrelid
    join pg_catalog.pg_am am on am.oid = ci.relam
    join pg_catalog.pg_namespace n on n.oid = ci.relnamespace
    cross join const k
    where am.amname = 'btree'
      and n.nspname not in ('pg_catalog', 'information_schema')
      and n.nspname !~ '^pg_toast'
      and i.indisvalid
      and ci.relpages::bigint * k.bs >= k.min_bytes
),
tbl as materialized (
    select c.oid as relid, n.nspname::text as schemaname, c.relname::text as relname, c.reltuples,
           c.relpages, c.reloptions, c.relpages::bigint * k.bs >= k.min_bytes as is_big
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    cross join const k
    where c.relkind in ('r', 'm')
      and n.nspname not in ('pg_catalog', 'information_schema')
      and n.nspname !~ '^pg_toast'
      and not pg_is_other_temp_schema(n.oid)
      and (c.relpages::bigint * k.bs >= k.min_bytes
           or exists (select from big_idx x where x.indrelid = c.oid))
),
-- Per table: its live columns and the statistics of those the role can see. pg_stats checks
-- the column privilege of every row it joins: looked up per relation by name (OFFSET 0 keeps the
-- lookup a nested loop), it checks only this table's columns, where a plan that joined the
-- whole catalogue first would check every column of every relation.
table_widths as (
    select t.relid, w.*
    from tbl t
    cross join lateral (
        select count(*)::int as columns,
               count(s.attname)::int as columns_with_stats,
               coalesce(max(s.null_frac), 0) > 0 as has_nulls,
               coalesce(sum((1 - coalesce(s.null_frac, 0)) * coalesce(s.avg_width, 0)), 0)::float8
                   as data_width
        from pg_catalog.pg_attribute a
        left join (
            select ps.attname, ps.null_frac, ps.avg_width
            from pg_catalog.pg_stats ps
            where ps.schemaname = t.schemaname and ps.tablename = t.relname and not ps.inherited
            offset 0
        ) s on s.attname = a.attname
        where a.attrelid = t.relid and a.attnum > 0 and not a.attisdropped
    ) w
    where t.is_big
),
-- Per index: every column (INCLUDE columns too: leaf tuples store them). A plain column's
-- statistics are the table's; an expression's are ANALYZE's on the index, under its name.
index_widths as (
    select x.indexrelid, w.*
    from big_idx x
    join tbl t on t.relid = x.indrelid
    cross join lateral (
        select count(*)::int as columns,
               count(s.attname)::int as columns_with_stats,
               coalesce(max(s.null_frac), 0) > 0 as has_nulls,
               coalesce(sum((1 - coalesce(s.null_frac, 0)) * coalesce(s.avg_width, 0)), 0)::float8
                   as data_width
        from unnest(x.indkey::int2[]) with ordinality as k(attnum, n)
        cross join lateral (
            select case when k.attnum <> 0 then t.relname else x.indexrelname end as tablename,
                   (select a.attname from pg_catalog.pg_attribute a
                    where a.attrelid = case when k.attnum <> 0 then x.indrelid else x.indexrelid end
                      and a.attnum = case when k.attnum <> 0 then k.attnum else k.n::int2 end)
                       as attname
        ) col
        left join lateral (
            select ps.attname, ps.null_frac, ps.avg_width
            from pg_catalog.pg_stats ps
            where ps.schemaname = t.schemaname and ps.tablename = col.tablename
              and ps.attname = col.attname and not ps.inherited
            offset 0
        ) s on true
    ) w
),
relations as (
    -- heap tuple: HeapTupleHeaderData (23 bytes) + a null bitmap when any column has nulls
    select t.relid, 0::oid as indexrelid, t.schemaname, t.relname, ''::text as indexrelname,
           t.reltuples, t.relpages, t.reloptions, 100 as default_fillfactor,
           23 + case when w.has_nulls then (w.columns + 7) / 8 else 0 end as header_width,
           w.data_width, w.columns, w.columns_with_stats
    from tbl t
    join table_widths w on w.relid = t.relid
    union all
    -- btree leaf tuple: IndexTupleData (8 bytes) + IndexAttributeBitMapData (4) with nulls
    select x.indrelid, x.indexrelid, t.schemaname, t.relname, x.indexrelname,
           x.reltuples, x.relpages, x.reloptions, 90,
           8 + case when w.has_nulls then 4 else 0 end,
           w.data_width, w.columns, w.columns_with_stats
    from big_idx x
    join tbl t on t.relid = x.indrelid
    join index_widths w on w.indexrelid = x.indexrelid
)
select /* pgvigil */
    current_database() as datname,
    r.relid,
    r.indexrelid,
    r.schemaname,
    r.relname,
    r.indexrelname,
    r.reltuples::float8 as reltuples,
    r.relpages::bigint as relpages,
    coalesce(substring(array_to_string(r.reloptions, ' ') from 'fillfactor=([0-9]+)')::int,
             r.default_fillfactor) as fillfactor,
    r.header_width,
    r.data_width,
    -- MAXALIGN(header) + MAXALIGN(data): the bytes of an average tuple on a page, without its
    -- 4-byte line pointer
    (ceil(r.header_width::numeric / k.ma) * k.ma
     + ceil(r.data_width::numeric / k.ma) * k.ma)::float8 as tuple_width,
    r.columns,
    r.columns_with_stats,
    has_table_privilege(r.relid, 'SELECT') as is_readable
from relations r
cross join const k
order by r.schemaname, r.relname, r.indexrelid;
