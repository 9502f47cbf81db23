// Migration 3: playground samples keep everything the UI shows (pieces, entropies, finish, memorised source) under a
// stable text id, grids of prompts × checkpoints are remembered, and users' prompt sets are saved.
export const sql = `
ALTER TABLE samples ADD COLUMN uid TEXT;
ALTER TABLE samples ADD COLUMN expected_keywords TEXT;   -- JSON
ALTER TABLE samples ADD COLUMN token_ids TEXT;           -- JSON array of generated token ids
ALTER TABLE samples ADD COLUMN pieces TEXT;              -- JSON array, one text piece per generated token
ALTER TABLE samples ADD COLUMN entropies TEXT;           -- JSON array, nats per generated token
ALTER TABLE samples ADD COLUMN memorized_source TEXT;    -- JSON
ALTER TABLE samples ADD COLUMN finish TEXT;
ALTER TABLE samples ADD COLUMN warnings TEXT;            -- JSON array
ALTER TABLE samples ADD COLUMN duration_ms REAL;
ALTER TABLE samples ADD COLUMN grid_id TEXT;
ALTER TABLE samples ADD COLUMN grid_row INTEGER;
ALTER TABLE samples ADD COLUMN grid_col INTEGER;
CREATE UNIQUE INDEX samples_uid ON samples(uid);
CREATE INDEX samples_grid ON samples(grid_id);
CREATE INDEX samples_created ON samples(created_at);

CREATE TABLE sample_grids (
  id         TEXT PRIMARY KEY,
  spec       TEXT NOT NULL,   -- JSON: rows, columns, settings, prompt set id
  status     TEXT NOT NULL CHECK (status IN ('running','done','cancelled')),
  created_at INTEGER NOT NULL
);

CREATE TABLE prompt_sets (
  id         TEXT PRIMARY KEY,
  body       TEXT NOT NULL,   -- JSON PromptSet
  updated_at INTEGER NOT NULL
);
`;
