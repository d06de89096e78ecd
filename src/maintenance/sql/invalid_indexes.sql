/* pgvigil */
-- Invalid indexes of table $1: leftovers of an interrupted CREATE INDEX / REINDEX
-- CONCURRENTLY (…_ccnew, …_ccold). Reported, never dropped by pgvigil.
SELECT n.nspname AS schema, c.relname AS name
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE i.indrelid = $1::bigint::oid AND NOT i.indisvalid
 ORDER BY 1, 2
