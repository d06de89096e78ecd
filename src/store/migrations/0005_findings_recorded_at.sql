-- 0005_findings_recorded_at: when RecordFindings last ran for each target. An open finding
-- episode was seen at that time, so its row is written only when what it shows (severity,
-- value, unit, message) changes, instead of its last_seen once per call for every open
-- episode (thousands a second on a large database, docs/benchmarks.md). Readers take an open
-- episode's last_seen as max(last_seen, findings_recorded_at); closing an episode writes its
-- last_seen for good. Timestamps are microseconds since the Unix epoch (UTC).
ALTER TABLE targets ADD COLUMN findings_recorded_at INTEGER;
UPDATE targets SET findings_recorded_at = (
  SELECT max(e.last_seen) FROM finding_episodes e
  WHERE e.target_id = targets.id AND e.closed_at IS NULL);
