-- PREPARE: a normalised pg_stat_statements text as a prepared statement of this session, for
-- its generic plan (explain_generic.sql). PREPARE only parses and
-- analyses; STATEMENT is a single plain SELECT, NAME a quoted identifier.
PREPARE {{name}} AS /* pgvigil */ {{statement}}
