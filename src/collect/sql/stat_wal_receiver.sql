-- pg_stat_wal_receiver + recovery functions: a standby's receive and replay positions and delays; one row on a standby (also when it is not streaming), none on a primary
select /* pgvigil */
    r.status,
    r.sender_host,
    r.sender_port,
    r.slot_name,
    pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_last_wal_receive_lsn(), '0/0')::bigint as receive_lsn_bytes,
    pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_last_wal_replay_lsn(), '0/0')::bigint as replay_lsn_bytes,
    pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_last_wal_receive_lsn(), pg_catalog.pg_last_wal_replay_lsn())::bigint as replay_lag_bytes,
    extract(epoch from now() - pg_catalog.pg_last_xact_replay_timestamp())::float8 as replay_delay_seconds,
    extract(epoch from clock_timestamp() - r.last_msg_receipt_time)::float8 as last_msg_receipt_age_seconds
from (select 1) one
left join pg_catalog.pg_stat_wal_receiver r on true
where pg_catalog.pg_is_in_recovery();
