// Migration 4: a resumed run re-trains the steps after its last checkpoint and logs them again. A value that
// replaces a different one (the NaN that paused the run, a step retrained on another backend) keeps the old one
// here, so nothing a run logged is ever lost; identical re-logs (bit-identical resume) add nothing.
export const sql = `
CREATE TABLE metrics_superseded (
  run_id        TEXT NOT NULL REFERENCES runs(id),
  key_id        INTEGER NOT NULL REFERENCES metric_keys(id),
  step          INTEGER NOT NULL,
  value         REAL,
  superseded_at INTEGER NOT NULL
);
CREATE INDEX metrics_superseded_run ON metrics_superseded(run_id, key_id, step);

CREATE TRIGGER metrics_keep_superseded BEFORE UPDATE OF value ON metrics
WHEN OLD.value IS NOT NEW.value
BEGIN
  INSERT INTO metrics_superseded(run_id, key_id, step, value, superseded_at)
  VALUES (OLD.run_id, OLD.key_id, OLD.step, OLD.value, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
`;
