-- pg_sequence + pg_class + pg_depend: every sequence of the current database, its last value
-- when readable (SELECT or USAGE on it, which pg_monitor does not give) and the serial or
-- identity column it feeds, whose type may be smaller than the sequence's. A sequence with a
-- lock that pg_sequence_last_value (ROW EXCLUSIVE) would queue behind is not read.
with blocking as materialized (
    -- pg_sequence_last_value takes ROW EXCLUSIVE on the sequence: do not queue behind these
    select distinct on (l.relation) l.relation as relid, l.mode, l.pid, l.granted
    from pg_catalog.pg_locks l
    where l.locktype = 'relation'
      and l.mode in ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
      and l.database = (select d.oid from pg_catalog.pg_database d
                        where d.datname = current_database())
    order by l.relation, l.granted desc, l.pid
),
seq as (
    select s.seqrelid, s.seqtypid, s.seqmin, s.seqmax, s.seqincrement, s.seqcycle,
           c.relname, c.relnamespace, c.relpersistence,
           has_sequence_privilege(c.oid, 'SELECT,USAGE') as is_readable
    from pg_catalog.pg_sequence s
    join pg_catalog.pg_class c on c.oid = s.seqrelid
)
select /* pgvigil */
    current_database() as datname,
    s.seqrelid as relid,
    n.nspname as schemaname,
    s.relname as sequencename,
    format_type(s.seqtypid, null) as data_type,
    s.seqmin as min_value,
    s.seqmax as max_value,
    s.seqincrement as increment_by,
    s.seqcycle as cycle,
    -- without privilege pg_sequence_last_value raises an error (before 18), and an unlogged
    -- sequence cannot be read on a standby
    case when s.is_readable and b.relid is null
              and not (s.relpersistence = 'u' and pg_is_in_recovery())
         then pg_sequence_last_value(s.seqrelid) end as last_value,
    s.is_readable,
    coalesce(quote_ident(tn.nspname) || '.' || quote_ident(t.relname) || '.'
             || quote_ident(a.attname), '') as owned_by,
    coalesce(format_type(a.atttypid, a.atttypmod), '') as column_type,
    b.mode as lock_mode,
    b.pid as lock_pid,
    b.granted as lock_granted
from seq s
join pg_catalog.pg_namespace n on n.oid = s.relnamespace
-- 'a': serial or OWNED BY, 'i': identity column
left join pg_catalog.pg_depend d
    on d.classid = 'pg_catalog.pg_class'::regclass and d.objid = s.seqrelid
   and d.refclassid = 'pg_catalog.pg_class'::regclass and d.refobjsubid > 0
   and d.deptype in ('a', 'i')
left join pg_catalog.pg_class t on t.oid = d.refobjid
left join pg_catalog.pg_namespace tn on tn.oid = t.relnamespace
left join pg_catalog.pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
left join blocking b on b.relid = s.seqrelid
where not pg_is_other_temp_schema(s.relnamespace)
order by n.nspname, s.relname;
