-- pg_stat_archiver: WAL archiving successes and failures (same columns from 13 to 18)
select /* pgvigil */
    a.archived_count,
    a.last_archived_wal,
    extract(epoch from a.last_archived_time)::float8 as last_archived_time,
    a.failed_count,
    a.last_failed_wal,
    extract(epoch from a.last_failed_time)::float8 as last_failed_time,
    extract(epoch from a.stats_reset)::float8 as stats_reset
from pg_catalog.pg_stat_archiver a;
