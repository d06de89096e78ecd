-- hypopg: a hypothetical index (`pgvigil check --verify-indexes`): hypopg_create_index keeps it
-- in this backend's memory only, writes no catalog, needs no privilege beyond EXECUTE and works
-- in a read-only transaction; the planner of this session then considers it. SCHEMA is the
-- quoted schema of the extension, DEFINITION a quoted literal "CREATE INDEX ON s.t (cols)"
-- made of quoted identifiers.
SELECT /* pgvigil */ indexrelid::bigint AS indexrelid, indexname
  FROM {{schema}}.hypopg_create_index({{definition}})
