-- pg_prepared_xacts: prepared transactions, which hold back the xmin horizon (and their locks) until committed or rolled back
select /* pgvigil */
    p.gid,
    p.owner,
    p.database as datname,
    extract(epoch from clock_timestamp() - p.prepared)::float8 as prepared_age_seconds,
    pg_catalog.age(p.transaction)::bigint as xid_age
from pg_catalog.pg_prepared_xacts p;
