// Migration 2: checkpoint.keep removes old periodic checkpoint folders; their records stay, marked pruned.
export const sql = `
ALTER TABLE checkpoints ADD COLUMN pruned_at INTEGER;
`;
