// `loupe backup`: a consistent copy of the run database, safe while training (SQLite's online backup API). It
// works on a damaged database too, which is when a copy matters most: the file is copied as it is, never checked.
import fs from 'node:fs';
import path from 'node:path';
import { openDatabase, StoreError } from '../store/db.ts';
import { dbPath } from '../paths.ts';
import { ServiceError } from './errors.ts';

export interface BackupResult {
  file: string;
  /** 'sqlite': the online backup API; 'bytes': the file was not readable as SQLite, so its bytes were copied. */
  method: 'sqlite' | 'bytes';
}

export async function backupDatabase(dataDir: string, destination: string): Promise<BackupResult> {
  const source = dbPath(dataDir);
  const dest = path.resolve(destination);
  if (!fs.existsSync(source)) throw new ServiceError('not_found', `there is no database to back up at ${source}`);
  if (fs.existsSync(dest)) throw new ServiceError('conflict', `${dest} already exists; pick a new file name`);
  let db;
  try {
    db = openDatabase(source, { readonly: true, skipCheck: true });
  } catch (e) {
    if (!(e instanceof StoreError) || e.code !== 'corrupt') throw e;
    // Not even the header reads as SQLite: keep its bytes (and the WAL beside it) for a recovery tool.
    fs.copyFileSync(source, dest, fs.constants.COPYFILE_EXCL);
    if (fs.existsSync(`${source}-wal`)) fs.copyFileSync(`${source}-wal`, `${dest}-wal`, fs.constants.COPYFILE_EXCL);
    return { file: dest, method: 'bytes' };
  }
  try {
    await db.backup(dest);
  } finally {
    db.close();
  }
  return { file: dest, method: 'sqlite' };
}
