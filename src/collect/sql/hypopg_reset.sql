-- hypopg: drops every hypothetical index of this backend (hypopg_create_index.sql's).
SELECT /* pgvigil */ {{schema}}.hypopg_reset() IS NULL AS reset
