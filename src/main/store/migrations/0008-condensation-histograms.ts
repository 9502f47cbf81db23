// Migration 8: the per-layer cosine-similarity histograms behind the condensation heatmap (DESIGN §6), one row per
// run, eval step and depth; the mean is also a diag/condensation/layer_N metric, the histogram only lives here.
export const sql = `
CREATE TABLE condensation_histograms (
  run_id      TEXT NOT NULL REFERENCES runs(id),
  step        INTEGER NOT NULL,
  layer       INTEGER NOT NULL,
  tokens      INTEGER NOT NULL,
  pairs       INTEGER NOT NULL,
  mean_cosine REAL NOT NULL,
  -- CONDENSATION_BINS pair counts over [-1, 1] as little-endian uint32.
  bins        BLOB NOT NULL,
  PRIMARY KEY (run_id, step, layer)
);
`;
