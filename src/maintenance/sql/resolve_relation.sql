/* pgvigil */
-- The relations named exactly $1 (in schema $2, or in any schema when $2 is empty) of the
-- kind an operation acts on ($3: 'table' or 'index'). Names arrive as bind parameters and are
-- compared as text as well as name: a cast to name would silently cut a long one to 63 bytes.
SELECT c.oid::bigint AS oid,
       n.nspname AS schema,
       c.relname AS name,
       c.relkind::text AS relkind,
       coalesce(t.oid, c.oid)::bigint AS table_oid,
       coalesce(tn.nspname, n.nspname) AS table_schema,
       coalesce(t.relname, c.relname) AS table_name,
       pg_get_userbyid(coalesce(t.relowner, c.relowner)) AS owner
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_index i ON i.indexrelid = c.oid
  LEFT JOIN pg_class t ON t.oid = i.indrelid
  LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
 WHERE c.relname = $1::text::name AND c.relname::text = $1::text
   AND ($2::text = '' OR n.nspname::text = $2::text)
   AND c.relkind::text = ANY (CASE WHEN $3::text = 'index' THEN ARRAY['i', 'I']
                                   ELSE ARRAY['r', 'm', 'p'] END)
   AND n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast%'
 ORDER BY n.nspname
