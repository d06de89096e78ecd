-- pg_replication_slots: every slot with the WAL and xmin horizons it holds back; 16 adds conflicting (logical slots invalidated by recovery conflicts)
select /* pgvigil */
    s.slot_name,
    s.plugin,
    s.slot_type,
    s.database as datname,
    s.temporary,
    s.active,
    s.active_pid,
    pg_catalog.age(s.xmin)::bigint as xmin_age,
    pg_catalog.age(s.catalog_xmin)::bigint as catalog_xmin_age,
    pg_catalog.pg_wal_lsn_diff(w.lsn, s.restart_lsn)::bigint as retained_wal_bytes,
    s.wal_status,
    s.safe_wal_size as safe_wal_size_bytes,
    s.conflicting
from pg_catalog.pg_replication_slots s
cross join (
    select case
        when pg_catalog.pg_is_in_recovery() then pg_catalog.pg_last_wal_receive_lsn()
        else pg_catalog.pg_current_wal_lsn()
    end as lsn
) w;
