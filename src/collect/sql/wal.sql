-- current WAL position as bytes since 0/0 (the receive position on a standby, where pg_current_wal_lsn() errors), PostgreSQL 13: no pg_stat_wal yet
select /* pgvigil */
    pg_catalog.pg_wal_lsn_diff(
        case
            when pg_catalog.pg_is_in_recovery() then pg_catalog.pg_last_wal_receive_lsn()
            else pg_catalog.pg_current_wal_lsn()
        end,
        '0/0')::bigint as wal_lsn_bytes;
