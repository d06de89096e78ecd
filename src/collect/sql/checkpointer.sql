-- pg_stat_bgwriter: checkpointer and bgwriter counters, one view up to PostgreSQL 16 (its stats_reset serves both)
select /* pgvigil */
    b.checkpoints_timed,
    b.checkpoints_req,
    b.checkpoint_write_time,
    b.checkpoint_sync_time,
    b.buffers_checkpoint,
    b.buffers_clean,
    b.maxwritten_clean,
    b.buffers_alloc,
    b.buffers_backend,
    b.buffers_backend_fsync,
    extract(epoch from b.stats_reset)::float8 as checkpointer_stats_reset,
    extract(epoch from b.stats_reset)::float8 as bgwriter_stats_reset
from pg_catalog.pg_stat_bgwriter b;
