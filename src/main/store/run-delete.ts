// Permanent deletion of a run: every row that references it goes in one transaction, then its folder on disk.
// Only archived, inactive runs qualify: archiving is the first confirmation, the delete request the second.
import fs from 'node:fs';
import path from 'node:path';
import { StoreError, type Db } from './db.ts';
import { runDir } from '../paths.ts';
import { isActive, type RunStatus } from '../../shared/runs.ts';

/** A column that references runs(id). */
export interface RunReference {
  table: string;
  column: string;
  notNull: boolean;
}

export interface DeletedRows {
  /** Rows removed per table (the run itself under "runs"). */
  deleted: Record<string, number>;
  /** Rows whose nullable reference (e.g. runs.baseline_id) was set to NULL, per "table.column". */
  unlinked: Record<string, number>;
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Read from the schema rather than listed by hand, so tables a later migration adds are covered: a run must never
 * leave orphan rows behind, and a foreign key we forgot would make the delete fail rather than lose anything.
 */
export function runReferences(db: Db): RunReference[] {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  const out: RunReference[] = [];
  for (const table of tables) {
    const fks = db.prepare('SELECT "table" AS target, "from" AS col, "to" AS dest FROM pragma_foreign_key_list(?)').all(table) as {
      target: string;
      col: string;
      dest: string | null;
    }[];
    if (!fks.some((f) => f.target === 'runs')) continue;
    const cols = db.prepare('SELECT name, "notnull" AS nn FROM pragma_table_info(?)').all(table) as { name: string; nn: number }[];
    for (const fk of fks) {
      if (fk.target !== 'runs' || (fk.dest !== null && fk.dest !== 'id')) continue;
      out.push({ table, column: fk.col, notNull: cols.find((c) => c.name === fk.col)?.nn === 1 });
    }
  }
  return out;
}

/**
 * Deletes the run's rows in one immediate transaction. Rows that belong to the run (NOT NULL references: metrics,
 * batches, alerts, checkpoints, samples) go with it; nullable references elsewhere (other runs' baseline_id) are
 * set to NULL so those runs keep working. Throws StoreError 'conflict' for a run that is active or not archived.
 */
export function deleteRunRows(db: Db, runId: string): DeletedRows {
  const refs = runReferences(db);
  try {
    return db
      .transaction((): DeletedRows => {
        const run = db.prepare('SELECT status, archived FROM runs WHERE id = ?').get(runId) as { status: RunStatus; archived: number } | undefined;
        if (!run) throw new StoreError(`no run with id "${runId}"`, 'not_found');
        if (isActive(run.status)) {
          throw new StoreError(`run ${runId} is ${run.status}; stop it (and archive it) before deleting it`, 'conflict');
        }
        if (run.archived === 0) {
          throw new StoreError(`run ${runId} is not archived; archive it first (only archived runs can be deleted permanently)`, 'conflict');
        }
        const deleted: Record<string, number> = {};
        const unlinked: Record<string, number> = {};
        for (const r of refs) {
          // The runs table is never a child to delete from: another run naming this one only loses the link.
          if (r.table === 'runs' || !r.notNull) {
            const n = db.prepare(`UPDATE ${quote(r.table)} SET ${quote(r.column)} = NULL WHERE ${quote(r.column)} = ?`).run(runId).changes;
            unlinked[`${r.table}.${r.column}`] = (unlinked[`${r.table}.${r.column}`] ?? 0) + n;
          } else {
            const n = db.prepare(`DELETE FROM ${quote(r.table)} WHERE ${quote(r.column)} = ?`).run(runId).changes;
            deleted[r.table] = (deleted[r.table] ?? 0) + n;
          }
        }
        deleted['runs'] = db.prepare('DELETE FROM runs WHERE id = ?').run(runId).changes;
        return { deleted, unlinked };
      })
      .immediate();
  } catch (e) {
    if ((e as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
      throw new StoreError(`run ${runId} was not deleted: other stored rows still depend on its rows (nothing was changed)`, 'conflict');
    }
    throw e;
  }
}

/** The run's folder, checked to be exactly runs/<id> under dataDir so a strange id can never reach anything else. */
export function runFolder(dataDir: string, runId: string): string {
  const root = path.resolve(dataDir, 'runs');
  const folder = path.resolve(runDir(dataDir, runId));
  if (runId === '' || path.dirname(folder) !== root || path.basename(folder) !== runId) {
    throw new StoreError(`refusing to delete run "${runId}": its id does not name a folder under ${root}`, 'conflict');
  }
  return folder;
}

function countFiles(dir: string): number {
  let n = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) n += e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1;
  return n;
}

/** Removes the folder (symlinks are removed, never followed); returns how many files were in it. */
export function removeRunFolder(folder: string, runId: string): number {
  const files = countFiles(folder);
  try {
    fs.rmSync(folder, { recursive: true, force: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new StoreError(`run ${runId} was deleted from the database but its folder ${folder} could not be removed (${code}); delete it by hand`, 'io');
  }
  return files;
}
