-- pg_stat_wal: WAL generation, with the current WAL position as bytes since 0/0 (the receive position on a standby); 18 moved the write and sync counters to pg_stat_io
select /* pgvigil */
    pg_catalog.pg_wal_lsn_diff(
        case
            when pg_catalog.pg_is_in_recovery() then pg_catalog.pg_last_wal_receive_lsn()
            else pg_catalog.pg_current_wal_lsn()
        end,
        '0/0')::bigint as wal_lsn_bytes,
    w.wal_records,
    w.wal_fpi,
    w.wal_bytes::bigint as wal_bytes,
    w.wal_buffers_full,
    extract(epoch from w.stats_reset)::float8 as stats_reset
from pg_catalog.pg_stat_wal w;
