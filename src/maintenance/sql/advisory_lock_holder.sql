/* pgvigil */
-- Another session holding pgvigil's advisory lock on table $2 (key class $1): a pgvigil
-- (this daemon, another daemon or the CLI) running an operation on it. A bigint advisory key
-- shows in pg_locks as classid = its high 32 bits, objid = its low 32 bits, objsubid = 1.
SELECT pid
  FROM pg_locks
 WHERE locktype = 'advisory' AND granted AND objsubid = 1
   AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND classid = $1::bigint::oid AND objid = $2::bigint::oid
   AND pid <> pg_backend_pid()
 LIMIT 1
