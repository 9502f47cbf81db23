// Migration 7: the step each summary val figure comes from (a val loss without its step reads as current), and a
// best val loss that only counts evals after initialisation (the value at step 0 is nobody's "best"). Existing runs
// are backfilled from their stored metrics.
/** Recomputes the val summary columns of every run from its stored metrics (exported for its test). */
export const backfill = `
UPDATE runs SET
  last_val_step = (
    SELECT max(m.step) FROM metrics m JOIN metric_keys k ON k.id = m.key_id
    WHERE m.run_id = runs.id AND k.key = 'val/loss' AND m.value IS NOT NULL
  ),
  best_val_step = (
    SELECT m.step FROM metrics m JOIN metric_keys k ON k.id = m.key_id
    WHERE m.run_id = runs.id AND k.key = 'val/loss' AND m.value IS NOT NULL AND m.step > 0
    ORDER BY m.value ASC, m.step ASC LIMIT 1
  );
UPDATE runs SET best_val_loss = (
  SELECT m.value FROM metrics m JOIN metric_keys k ON k.id = m.key_id
  WHERE m.run_id = runs.id AND k.key = 'val/loss' AND m.step = runs.best_val_step
);
`;

export const sql = `
ALTER TABLE runs ADD COLUMN last_val_step INTEGER;
ALTER TABLE runs ADD COLUMN best_val_step INTEGER;
${backfill}`;
