-- pg_extension: the extensions installed in this database, with the schema that holds them
select /* pgvigil */
    e.extname as name,
    e.extversion as version,
    n.nspname as schema
from pg_catalog.pg_extension e
join pg_catalog.pg_namespace n on n.oid = e.extnamespace
order by e.extname;
