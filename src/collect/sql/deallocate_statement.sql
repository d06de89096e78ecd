-- DEALLOCATE: drops a statement prepare_statement.sql made, so that the session keeps none and
-- a later PREPARE plans afresh (a cached generic plan would not see a hypothetical index).
/* pgvigil */ DEALLOCATE {{name}}
