// Migration 5: checkpoint paths are stored relative to the data folder (runs/<id>/checkpoints/step-…), so moving
// LOUPE_HOME keeps every checkpoint. Old absolute paths are cut at their runs/<id>/checkpoints/ part, whatever folder
// they were written under (the old one may be gone); a path outside that layout stays absolute. Backslashes become
// slashes so a database moved between Windows and POSIX still resolves.
export const sql = `
UPDATE checkpoints SET path = replace(path, '\\', '/');
UPDATE checkpoints
SET path = substr(path, instr(path, '/runs/' || run_id || '/checkpoints/') + 1)
WHERE instr(path, '/runs/' || run_id || '/checkpoints/') > 0;
`;
