-- pg_stat_checkpointer + pg_stat_bgwriter: 18 adds num_done, the checkpoints actually performed (num_timed and num_requested also count skipped ones)
select /* pgvigil */
    c.num_timed as checkpoints_timed,
    c.num_requested as checkpoints_req,
    c.num_done as checkpoints_done,
    c.write_time as checkpoint_write_time,
    c.sync_time as checkpoint_sync_time,
    c.buffers_written as buffers_checkpoint,
    b.buffers_clean,
    b.maxwritten_clean,
    b.buffers_alloc,
    c.restartpoints_timed,
    c.restartpoints_req,
    c.restartpoints_done,
    extract(epoch from c.stats_reset)::float8 as checkpointer_stats_reset,
    extract(epoch from b.stats_reset)::float8 as bgwriter_stats_reset
from pg_catalog.pg_stat_checkpointer c
cross join pg_catalog.pg_stat_bgwriter b;
