/* pgvigil */
-- Size of relation $1 (the table, or the index of a REINDEX INDEX) and the dead / live tuples
-- of table $2, before and after an operation. The statistics are whatever the server has
-- reported so far (asynchronous before 15).
SELECT pg_total_relation_size($1::bigint::oid) AS size_bytes, s.n_dead_tup, s.n_live_tup
  FROM (SELECT 1) AS one
  LEFT JOIN pg_stat_user_tables s ON s.relid = $2::bigint::oid
