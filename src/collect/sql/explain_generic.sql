-- EXPLAIN: the generic plan of a prepared normalised statement (`pgvigil check
-- --verify-indexes / --explain`): NAME was PREPAREd from the pg_stat_statements
-- text (prepare_statement.sql) with plan_cache_mode = force_generic_plan (explain_settings.sql),
-- so the plan is the one for unknown $n values, as GENERIC_PLAN gives it from 16 on (which
-- cannot take a text with $n over the extended protocol: the Bind has no values); the NULLs
-- in ARGUMENTS only fill the parameter list and are never planned with. Without ANALYZE
-- nothing is executed.
/* pgvigil */ EXPLAIN (FORMAT JSON) EXECUTE {{name}}{{arguments}}
