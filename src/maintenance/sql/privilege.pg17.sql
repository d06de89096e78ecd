/* pgvigil */
-- 17+: VACUUM, ANALYZE and REINDEX need the MAINTAIN privilege on the table (granted to its
-- owner, to pg_maintain and by GRANT MAINTAIN). $2 is unused here (see privilege.sql).
SELECT has_table_privilege($1::bigint::oid, 'MAINTAIN') OR $2::boolean AND false AS has_privilege
