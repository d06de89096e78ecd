-- pg_stat_wal (14+): WAL generation and writes, with the current WAL position as bytes since 0/0 (the receive position on a standby)
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
    w.wal_write,
    w.wal_sync,
    w.wal_write_time,
    w.wal_sync_time,
    extract(epoch from w.stats_reset)::float8 as stats_reset
from pg_catalog.pg_stat_wal w;
