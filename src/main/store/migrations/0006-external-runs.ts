// Migration 6: runs Loupe did not train (a PyTorch job's run file it tails, an imported TensorBoard, MLflow or
// CSV log) carry where they came from, the config their source declared, and when a watched file went quiet.
export const sql = `
ALTER TABLE runs ADD COLUMN source_kind TEXT;     -- NULL: trained by Loupe; else runfile | tensorboard | mlflow | csv
ALTER TABLE runs ADD COLUMN source_path TEXT;     -- absolute path of the file or folder read
ALTER TABLE runs ADD COLUMN source_key TEXT;      -- identifies the same source when it is watched again
ALTER TABLE runs ADD COLUMN source_config TEXT;   -- JSON: the config as the source wrote it
ALTER TABLE runs ADD COLUMN stale_since INTEGER;  -- a watched file that stopped growing; NULL while it grows
CREATE INDEX runs_source_key ON runs(source_key) WHERE source_key IS NOT NULL;
`;
