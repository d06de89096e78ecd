/* pgvigil */
-- Before 17: VACUUM, ANALYZE and REINDEX need the table's owner (or a role whose rights the
-- current one inherits) or a superuser; VACUUM and ANALYZE also the database's owner
-- ($2 = true). 17+ has the MAINTAIN privilege instead: privilege.pg17.sql.
SELECT pg_has_role(c.relowner, 'USAGE')
       OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
       OR ($2::boolean AND pg_has_role(
             (SELECT datdba FROM pg_database WHERE datname = current_database()), 'USAGE'))
       AS has_privilege
  FROM pg_class c
 WHERE c.oid = $1::bigint::oid
