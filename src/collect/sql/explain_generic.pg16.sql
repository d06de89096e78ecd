-- EXPLAIN: the generic plan of a normalised pg_stat_statements text with $n placeholders
-- (`pgvigil check --verify-indexes / --explain`); GENERIC_PLAN plans it for unknown values.
-- Without ANALYZE nothing is executed; STATEMENT is a single plain SELECT (checked by
-- PostgreSQL's parser in analysis/sql_parser.h before it gets here).
/* pgvigil */ EXPLAIN (GENERIC_PLAN, FORMAT JSON) {{statement}}
