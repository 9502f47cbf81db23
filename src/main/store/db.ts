// Opens the SQLite run store: pragmas for crash safety under concurrent readers, migrations in one transaction,
// and errors turned into one line that names the database file.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrations, type Migration } from './migrations/index.ts';
import { oneLine } from '../../shared/one-line.ts';

export type Db = Database.Database;

/** A failure users can act on: one line, naming the file or the thing. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly code: 'corrupt' | 'disk_full' | 'readonly' | 'too_new' | 'io' | 'not_found' | 'busy' | 'conflict',
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

interface SqliteLikeError {
  code?: unknown;
  message?: unknown;
}

/** Maps a better-sqlite3 / fs error to a StoreError naming `file`, or returns null when it is not a storage error. */
export function describeStorageError(err: unknown, file: string): StoreError | null {
  if (err instanceof StoreError) return err;
  const e = (err ?? {}) as SqliteLikeError;
  const code = typeof e.code === 'string' ? e.code : '';
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new StoreError(`database file ${file} is corrupt or not a Loupe database (${code}); ${recovery(file)}`, 'corrupt');
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return new StoreError(`disk full while writing ${file}; free some space and try again`, 'disk_full');
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new StoreError(`cannot write ${file}: permission denied or read-only file system`, 'readonly');
  }
  if (code.startsWith('SQLITE_BUSY')) return new StoreError(`database file ${file} is locked by another process for too long`, 'busy');
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN' || code === 'EIO') {
    return new StoreError(`cannot read or write ${file} (${code})`, 'io');
  }
  return null;
}

/** How to get going again from a damaged database, in one sentence. */
export function recovery(file: string): string {
  const runs = path.join(path.dirname(file), 'runs');
  return (
    `Loupe will not write to it. Keep a copy first with \`loupe backup COPY.db\`, then move ${file} aside ` +
    `(Loupe starts a new, empty one; \`sqlite3 COPY.db .recover\` may rescue rows); the checkpoints under ${runs} stay usable: ` +
    `\`loupe sample FOLDER\` samples one`
  );
}

/** quick_check's verdict: 'ok', or its first complaint. Reads every page once, without the index cross-checks. */
export function quickCheck(db: Db): string {
  const rows = db.pragma('quick_check') as { quick_check: string }[];
  return rows.map((r) => r.quick_check).join('; ');
}

/**
 * A 0-byte database beside a runs/ folder that holds runs is a lost or truncated database, not a new home: opening
 * it would silently start an empty one and orphan every run on disk.
 */
function refuseEmptyBesideRuns(file: string): void {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return;
  }
  if (size !== 0) return;
  const runs = path.join(path.dirname(file), 'runs');
  let folders: string[];
  try {
    folders = fs.readdirSync(runs);
  } catch {
    return;
  }
  if (folders.length === 0) return;
  throw new StoreError(
    `database file ${file} is empty (0 bytes) but ${runs} holds ${folders.length} run folder${folders.length === 1 ? '' : 's'}: ` +
      `the database was lost or truncated. Restore it from a backup, or move ${file} aside to start a new one ` +
      `(the checkpoints stay usable: \`loupe sample FOLDER\`)`,
    'corrupt',
  );
}

export interface OpenOptions {
  readonly?: boolean;
  /** Skip the integrity check (only to copy a damaged file as it is). */
  skipCheck?: boolean;
  /** ms a writer waits for another connection's lock before failing. */
  busyTimeoutMs?: number;
  migrations?: readonly Migration[];
}

/**
 * Inside Electron, `npm start` passes a better-sqlite3 binary built for Electron's ABI (the installed one is built
 * for Node's, which the CLI and browser mode use); a plain Node process ignores the variable.
 */
function nativeBinding(): { nativeBinding?: string } {
  const binding = process.env['LOUPE_SQLITE_BINDING'];
  return binding && process.versions['electron'] ? { nativeBinding: binding } : {};
}

/** Opens (creating if needed) the database at `file` and brings its schema up to date. */
export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  const list = opts.migrations ?? migrations;
  if (!opts.readonly) fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!opts.skipCheck) refuseEmptyBesideRuns(file);
  let db: Db | undefined;
  try {
    db = new Database(file, {
      readonly: opts.readonly ?? false,
      fileMustExist: opts.readonly ?? false,
      timeout: opts.busyTimeoutMs ?? 10_000,
      ...nativeBinding(),
    });
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 10_000}`);
    // Touches the header and schema: a file that is not SQLite fails here, not in the middle of a run. Then every
    // page is read once, before anything is written: a damaged database is refused, never written to.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    if (!opts.skipCheck) {
      const verdict = quickCheck(db);
      if (verdict !== 'ok') throw new StoreError(`database file ${file} is damaged (${verdict.slice(0, 200)}). ${recovery(file)}`, 'corrupt');
    }
    if (!opts.readonly) {
      // WAL: readers never block the writer. NORMAL: a process crash loses nothing committed; a power loss may
      // drop the last transactions (documented in DESIGN.md §2). The size limit keeps the WAL file bounded.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('journal_size_limit = 67108864');
    }
    db.pragma('foreign_keys = ON');
    if (!opts.readonly) migrate(db, list, file);
    return db;
  } catch (err) {
    db?.close();
    throw describeStorageError(err, file) ?? new StoreError(`cannot open database ${file}: ${oneLine(err)}`, 'io');
  }
}

function migrate(db: Db, list: readonly Migration[], file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = list.length ? list[list.length - 1].version : 0;
  if (current > latest) {
    throw new StoreError(`database file ${file} has schema version ${current}, newer than this Loupe (${latest}); update Loupe`, 'too_new');
  }
  if (current === latest) return;
  // All pending migrations and the version bump commit together, or not at all.
  db.transaction(() => {
    for (const m of list) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
  }).immediate();
}
