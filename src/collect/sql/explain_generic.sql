-- EXPLAIN: the generic plan of a prepared normalised statement (`pgvigil check
-- --verify-indexes`), before PostgreSQL 16: NAME was PREPAREd from the pg_stat_statements
-- text (prepare_statement.sql) with plan_cache_mode = force_generic_plan (explain_settings.sql),
-- so the plan is the one for unknown $n values, as GENERIC_PLAN gives it from 16 on; the NULLs
-- in ARGUMENTS only fill the parameter list and are never planned with. Without ANALYZE
-- nothing is executed.
/* pgvigil */ EXPLAIN (FORMAT JSON) EXECUTE {{name}}{{arguments}}
