-- pg_stat_statements: cumulative statistics per statement, without texts (they are most of the bytes: see statement_texts); extension 1.9 adds toplevel
select /* pgvigil */
    s.userid,
    s.dbid,
    s.queryid,
    r.rolname,
    d.datname,
    s.toplevel,
    s.calls,
    s.total_exec_time,
    s.min_exec_time,
    s.max_exec_time,
    s.mean_exec_time,
    s.stddev_exec_time,
    s.plans,
    s.total_plan_time,
    s.rows,
    s.shared_blks_hit,
    s.shared_blks_read,
    s.shared_blks_dirtied,
    s.shared_blks_written,
    s.local_blks_hit,
    s.local_blks_read,
    s.temp_blks_read,
    s.temp_blks_written,
    s.blk_read_time as shared_blk_read_time,
    s.blk_write_time as shared_blk_write_time,
    s.wal_records,
    s.wal_fpi,
    s.wal_bytes::bigint as wal_bytes
from {{pgss_schema}}.pg_stat_statements(false) s
left join pg_catalog.pg_roles r on r.oid = s.userid
left join pg_catalog.pg_database d on d.oid = s.dbid;
