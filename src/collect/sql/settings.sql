-- pg_settings: the settings analysis needs, by name (a name the server does not know is simply absent); archive_command and restore_command may hold credentials, so only whether they are set leaves the server
select /* pgvigil */
    s.name,
    case
        -- While archive_mode is off, archive_command shows '(disabled)' whatever its value.
        when s.name in ('archive_command', 'restore_command') then
            case when s.setting in ('', '(disabled)') then s.setting else 'set' end
        else s.setting
    end as setting,
    coalesce(s.unit, '') as unit,
    s.vartype,
    s.source,
    s.pending_restart
from pg_catalog.pg_settings s
where s.name in (
    -- connections
    'max_connections', 'superuser_reserved_connections', 'reserved_connections',
    -- autovacuum and freezing
    'autovacuum', 'autovacuum_max_workers', 'autovacuum_naptime',
    'autovacuum_vacuum_threshold', 'autovacuum_vacuum_scale_factor', 'autovacuum_vacuum_max_threshold',
    'autovacuum_vacuum_insert_threshold', 'autovacuum_vacuum_insert_scale_factor',
    'autovacuum_analyze_threshold', 'autovacuum_analyze_scale_factor',
    'autovacuum_freeze_max_age', 'autovacuum_multixact_freeze_max_age',
    'autovacuum_vacuum_cost_delay', 'autovacuum_vacuum_cost_limit', 'autovacuum_work_mem',
    'vacuum_freeze_min_age', 'vacuum_freeze_table_age',
    'vacuum_multixact_freeze_min_age', 'vacuum_multixact_freeze_table_age',
    'vacuum_failsafe_age', 'vacuum_multixact_failsafe_age',
    -- statistics collection
    'track_counts', 'track_io_timing', 'track_activities', 'track_activity_query_size',
    'shared_preload_libraries', 'compute_query_id',
    'pg_stat_statements.max', 'pg_stat_statements.track', 'pg_stat_statements.track_planning',
    -- checkpoints, WAL, archiving, replication
    'checkpoint_timeout', 'max_wal_size', 'min_wal_size',
    'archive_mode', 'archive_command', 'archive_library', 'archive_timeout',
    'wal_level', 'max_wal_senders', 'max_replication_slots', 'max_slot_wal_keep_size',
    'hot_standby_feedback',
    -- timeouts and logging
    'statement_timeout', 'idle_in_transaction_session_timeout', 'lock_timeout',
    'deadlock_timeout', 'log_lock_waits', 'log_min_duration_statement', 'log_temp_files',
    -- memory and planner
    'shared_buffers', 'work_mem', 'hash_mem_multiplier', 'maintenance_work_mem',
    'effective_cache_size', 'random_page_cost', 'jit', 'temp_file_limit',
    -- locks and transactions
    'max_prepared_transactions', 'max_locks_per_transaction',
    -- durability
    'fsync', 'full_page_writes', 'synchronous_commit', 'data_checksums',
    -- server
    'block_size', 'server_version_num', 'wal_segment_size'
)
order by s.name;
