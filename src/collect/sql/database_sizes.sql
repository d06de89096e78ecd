-- pg_database: on-disk size of every database that accepts connections (pg_database_size,
-- which pg_monitor may call). Stats every file of the cluster: the costliest query on large
-- clusters, hence the slow tier.
select /* pgvigil */
    d.datname,
    pg_database_size(d.oid) as size_bytes
from pg_catalog.pg_database d
where d.datallowconn
  and d.datconnlimit <> -2  -- -2: left invalid by an interrupted DROP DATABASE
order by d.datname;
