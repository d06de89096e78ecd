-- pg_stat_statements_info (extension 1.9+): entries evicted since the last reset, and when that was, so analysis knows whether per-interval figures are complete
select /* pgvigil */
    i.dealloc,
    extract(epoch from i.stats_reset)::float8 as stats_reset
from {{pgss_schema}}.pg_stat_statements_info i;
