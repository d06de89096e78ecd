-- pg_database: transaction-id and multixact ages per database, the inputs of wraparound checks (datallowconn = false databases can only be vacuumed by autovacuum)
select /* pgvigil */
    d.datname,
    pg_catalog.age(d.datfrozenxid)::bigint as datfrozenxid_age,
    pg_catalog.mxid_age(d.datminmxid)::bigint as datminmxid_age,
    d.datallowconn
from pg_catalog.pg_database d;
