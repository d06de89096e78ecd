/* pgvigil */
-- The relation $1 still exists under the name the plan resolved (not dropped or renamed since).
SELECT n.nspname AS schema, c.relname AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.oid = $1::bigint::oid
