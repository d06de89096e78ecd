/* pgvigil */
-- Progress of backend $1 (the maintenance session) from whichever pg_stat_progress_* view has
-- a row for it. VACUUM FULL reports in pg_stat_progress_cluster.
SELECT phase,
       CASE WHEN phase = 'vacuuming heap' THEN 100.0 * heap_blks_vacuumed / nullif(heap_blks_total, 0)
            ELSE 100.0 * heap_blks_scanned / nullif(heap_blks_total, 0) END AS percent
  FROM pg_stat_progress_vacuum WHERE pid = $1::int
UNION ALL
SELECT phase, 100.0 * sample_blks_scanned / nullif(sample_blks_total, 0)
  FROM pg_stat_progress_analyze WHERE pid = $1::int
UNION ALL
SELECT phase, coalesce(100.0 * blocks_done / nullif(blocks_total, 0),
                       100.0 * tuples_done / nullif(tuples_total, 0))
  FROM pg_stat_progress_create_index WHERE pid = $1::int
UNION ALL
SELECT phase, 100.0 * heap_blks_scanned / nullif(heap_blks_total, 0)
  FROM pg_stat_progress_cluster WHERE pid = $1::int
 LIMIT 1
