// Migration 1: the run store schema of DESIGN.md §2. Never edit a shipped migration; add the next number.
export const sql = `
CREATE TABLE runs (
  id               TEXT PRIMARY KEY,
  name             TEXT NOT NULL,
  hypothesis       TEXT,
  notes            TEXT,
  config           TEXT NOT NULL,            -- fully resolved RunConfig, JSON
  config_hash      TEXT NOT NULL,            -- sha256 of the canonical config JSON
  baseline_id      TEXT REFERENCES runs(id),
  group_name       TEXT,
  seed             INTEGER NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('queued','running','paused','finished','stopped','crashed','failed')),
  backend          TEXT,
  backend_reason   TEXT,
  params           INTEGER,
  tokens_per_update INTEGER,
  planned_steps    INTEGER NOT NULL,
  steps            INTEGER NOT NULL DEFAULT 0, -- last step with a stored metric
  tokens_seen      INTEGER NOT NULL DEFAULT 0,
  last_train_loss  REAL,
  last_val_loss    REAL,
  best_val_loss    REAL,
  tokens_per_s     REAL,
  created_at       INTEGER NOT NULL,          -- ms since epoch
  started_at       INTEGER,
  ended_at         INTEGER,
  error            TEXT,
  archived         INTEGER NOT NULL DEFAULT 0,
  attempts         INTEGER NOT NULL DEFAULT 0, -- starts + resumes, numbers metric_batches
  owner_pid        INTEGER                    -- process driving the run while queued/running
);
CREATE INDEX runs_created ON runs(created_at);
CREATE INDEX runs_status ON runs(status);

CREATE TABLE metric_keys (
  id  INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE
);

-- Full resolution, never downsampled. value NULL means NaN (SQLite stores NaN as NULL); ±Infinity are REALs.
CREATE TABLE metrics (
  run_id TEXT NOT NULL REFERENCES runs(id),
  key_id INTEGER NOT NULL REFERENCES metric_keys(id),
  step   INTEGER NOT NULL,
  value  REAL,
  PRIMARY KEY (run_id, key_id, step)
) WITHOUT ROWID;

-- One row per committed worker message, so "what was committed" is auditable after a crash.
CREATE TABLE metric_batches (
  run_id       TEXT NOT NULL REFERENCES runs(id),
  attempt      INTEGER NOT NULL,
  seq          INTEGER NOT NULL,
  first_step   INTEGER NOT NULL,
  last_step    INTEGER NOT NULL,
  points       INTEGER NOT NULL,
  committed_at INTEGER NOT NULL,
  PRIMARY KEY (run_id, attempt, seq)
) WITHOUT ROWID;

CREATE TABLE alerts (
  id         TEXT PRIMARY KEY,
  run_id     TEXT NOT NULL REFERENCES runs(id),
  kind       TEXT NOT NULL,
  severity   TEXT NOT NULL,
  step       INTEGER NOT NULL,
  step_end   INTEGER,
  message    TEXT NOT NULL,
  advice     TEXT NOT NULL,
  evidence   TEXT NOT NULL,               -- JSON object
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX alerts_run ON alerts(run_id, step);

CREATE TABLE checkpoints (
  run_id     TEXT NOT NULL REFERENCES runs(id),
  step       INTEGER NOT NULL,
  path       TEXT NOT NULL,
  sha256     TEXT NOT NULL,
  bytes      INTEGER NOT NULL,
  val_loss   REAL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (run_id, step)
);

CREATE TABLE samples (
  id              INTEGER PRIMARY KEY,
  run_id          TEXT NOT NULL REFERENCES runs(id),
  checkpoint_step INTEGER,
  prompt          TEXT NOT NULL,
  settings        TEXT NOT NULL,           -- JSON
  text            TEXT NOT NULL,
  diagnostics     TEXT,                    -- JSON
  created_at      INTEGER NOT NULL
);
CREATE INDEX samples_run ON samples(run_id, checkpoint_step);

CREATE TABLE datasets (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  path       TEXT,
  sha256     TEXT,
  bytes      INTEGER,
  tokenizer  TEXT,
  tokens     INTEGER,
  created_at INTEGER NOT NULL
);
`;
