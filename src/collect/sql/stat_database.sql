-- pg_stat_database + pg_stat_database_conflicts: cumulative counters per database, PostgreSQL 13
select /* pgvigil */
    d.datid,
    d.datname,
    d.numbackends,
    d.xact_commit,
    d.xact_rollback,
    d.blks_read,
    d.blks_hit,
    d.tup_returned,
    d.tup_fetched,
    d.tup_inserted,
    d.tup_updated,
    d.tup_deleted,
    d.conflicts,
    d.temp_files,
    d.temp_bytes,
    d.deadlocks,
    d.checksum_failures,
    extract(epoch from d.checksum_last_failure)::float8 as checksum_last_failure,
    d.blk_read_time,
    d.blk_write_time,
    extract(epoch from d.stats_reset)::float8 as stats_reset,
    c.confl_tablespace,
    c.confl_lock,
    c.confl_snapshot,
    c.confl_bufferpin,
    c.confl_deadlock
from pg_catalog.pg_stat_database d
left join pg_catalog.pg_stat_database_conflicts c on c.datid = d.datid
where d.datname is not null;
