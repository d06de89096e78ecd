-- server identity and the monitoring role's capabilities: read once per connection
select /* pgvigil */
    current_setting('server_version_num')::int as server_version_num,
    current_setting('server_version') as server_version,
    pg_is_in_recovery() as is_in_recovery,
    current_database() as current_database,
    current_user as current_user,
    coalesce((select r.rolsuper from pg_catalog.pg_roles r where r.rolname = current_user), false) as is_superuser,
    pg_has_role('pg_monitor', 'usage') as has_pg_monitor,
    pg_has_role('pg_read_all_stats', 'usage') as has_read_all_stats,
    current_setting('block_size')::int as block_size,
    extract(epoch from pg_postmaster_start_time())::float8 as postmaster_start_time;
