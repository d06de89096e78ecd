-- pg_stat_replication: one row per walsender, with its lag behind the current WAL position (the receive position on a cascading standby, where pg_current_wal_lsn() errors)
select /* pgvigil */
    r.pid,
    r.usename,
    r.application_name,
    host(r.client_addr) as client_addr,
    r.state,
    r.sync_state,
    pg_catalog.pg_wal_lsn_diff(w.lsn, r.sent_lsn)::bigint as sent_lag_bytes,
    pg_catalog.pg_wal_lsn_diff(w.lsn, r.write_lsn)::bigint as write_lag_bytes,
    pg_catalog.pg_wal_lsn_diff(w.lsn, r.flush_lsn)::bigint as flush_lag_bytes,
    pg_catalog.pg_wal_lsn_diff(w.lsn, r.replay_lsn)::bigint as replay_lag_bytes,
    extract(epoch from r.write_lag)::float8 as write_lag_seconds,
    extract(epoch from r.flush_lag)::float8 as flush_lag_seconds,
    extract(epoch from r.replay_lag)::float8 as replay_lag_seconds
from pg_catalog.pg_stat_replication r
cross join (
    select case
        when pg_catalog.pg_is_in_recovery() then pg_catalog.pg_last_wal_receive_lsn()
        else pg_catalog.pg_current_wal_lsn()
    end as lsn
) w;
