-- settings: around a batch of EXPLAINs on the monitoring session, a shorter statement_timeout
-- and plan_cache_mode = force_generic_plan; run again afterwards with the
-- session's own statement_timeout and plan_cache_mode's reset value to put them back.
-- STATEMENT_TIMEOUT and PLAN_CACHE_MODE are quoted literals; NULL plan_cache_mode keeps
-- the reset value.
SELECT /* pgvigil */
    set_config('statement_timeout', {{statement_timeout}}, false) AS statement_timeout,
    set_config('plan_cache_mode',
               coalesce({{plan_cache_mode}},
                        (SELECT reset_val FROM pg_catalog.pg_settings
                          WHERE name = 'plan_cache_mode')),
               false) AS plan_cache_mode
