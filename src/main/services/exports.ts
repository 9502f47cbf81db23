// Exports of a run: all metrics as CSV (one row per step, one column per key) and the latest checkpoint
// as a Hugging Face model folder. Files appear complete or not at all (temp file, then rename); nothing that is
// already there is replaced without `force`, and file-system failures come back as sentences naming the path.
import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../store/store.ts';
import { exportHfModel } from '../engine/checkpoint/checkpoint.ts';
import { ServiceError } from './errors.ts';

export interface ExportOptions {
  /** Replace an existing CSV file / write into a folder that is not empty. */
  force?: boolean;
}

/** A failed file operation as one sentence that names the path (never a bare ENOENT). */
export function fileProblem(e: unknown, target: string): ServiceError {
  const err = e as NodeJS.ErrnoException;
  // Our own temp file next to the target is no news to the user; another path (a parent folder) is.
  const other = err.path !== undefined && path.resolve(err.path) !== target && !path.basename(err.path).includes('.tmp-');
  const where = other ? ` (at ${err.path})` : '';
  switch (err.code) {
    case 'ENOENT':
      return new ServiceError('bad_request', `cannot write ${target}: the folder ${path.dirname(target)} does not exist${where}`);
    case 'ENOTDIR':
      return new ServiceError('bad_request', `cannot write ${target}: part of that path is a file, not a folder${where}`);
    case 'EEXIST':
      return new ServiceError('conflict', `cannot write ${target}: something is already there${where}`);
    case 'EISDIR':
      return new ServiceError('bad_request', `cannot write ${target}: it is a folder${where}`);
    case 'EROFS':
      return new ServiceError('bad_request', `cannot write ${target}: the file system is read-only${where}`);
    case 'ENOSPC':
      return new ServiceError('bad_request', `disk full while writing ${target}${where}; free some space and try again`);
    case 'EACCES':
    case 'EPERM':
      return new ServiceError('bad_request', `cannot write ${target}: permission denied${where}`);
    default:
      return new ServiceError('bad_request', `cannot write ${target} (${err.code ?? (e instanceof Error ? e.message.split('\n')[0] : String(e))})`);
  }
}

/** Refuses to replace an existing file unless forced; a folder in the way is never replaced. */
export function checkFileTarget(target: string, force: boolean | undefined): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw fileProblem(e, target);
  }
  if (st.isDirectory()) throw new ServiceError('bad_request', `cannot write ${target}: it is a folder`);
  if (!force) throw new ServiceError('conflict', `${target} already exists; pass --force to overwrite it`);
}

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function formatValue(v: number): string {
  return Number.isNaN(v) ? 'NaN' : String(v);
}

export function exportCsv(store: Store, runId: string, file: string, opts: ExportOptions = {}): { rows: number; columns: string[] } {
  const keys = store.metrics.keys(runId);
  const col = new Map(keys.map((k, i) => [k, i]));
  const target = path.resolve(file);
  checkFileTarget(target, opts.force);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}`);
  let fd: number;
  try {
    fd = fs.openSync(tmp, 'w');
  } catch (e) {
    throw fileProblem(e, target);
  }
  let rows = 0;
  try {
    let buf = `${['step', ...keys].map(csvCell).join(',')}\n`;
    let step: number | null = null;
    let cells: string[] = new Array<string>(keys.length).fill('');
    const flush = (): void => {
      if (step === null) return;
      buf += `${step},${cells.join(',')}\n`;
      rows++;
      if (buf.length > 1 << 20) {
        fs.writeSync(fd, buf);
        buf = '';
      }
    };
    for (const p of store.metrics.points(runId)) {
      if (p.step !== step) {
        flush();
        step = p.step;
        cells = new Array<string>(keys.length).fill('');
      }
      cells[col.get(p.key)!] = formatValue(p.value);
    }
    flush();
    fs.writeSync(fd, buf);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, target);
  } catch (e) {
    try {
      fs.closeSync(fd);
    } catch {
      /* already closed */
    }
    fs.rmSync(tmp, { force: true });
    throw fileProblem(e, target);
  }
  return { rows, columns: ['step', ...keys] };
}

/** Refuses a file where the folder should be, and a folder with anything in it unless forced. */
function checkFolderTarget(target: string, force: boolean | undefined): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw new ServiceError('bad_request', `cannot write into ${target}: it is a file, not a folder`);
    throw fileProblem(e, target);
  }
  if (entries.length > 0 && !force) {
    const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? `, … (${entries.length} entries)` : '');
    throw new ServiceError('conflict', `folder ${target} is not empty (${shown}); pick an empty or new folder, or pass --force to write into it`);
  }
}

export function exportHf(store: Store, runId: string, dir: string, opts: ExportOptions = {}): { dir: string; step: number; files: string[] } {
  const ckpt = store.checkpoints.latest(runId);
  if (!ckpt) throw new ServiceError('not_found', `run ${runId} has no checkpoint to export yet`);
  if (!fs.existsSync(ckpt.path)) throw new ServiceError('not_found', `checkpoint folder ${ckpt.path} of run ${runId} is missing`);
  const target = path.resolve(dir);
  checkFolderTarget(target, opts.force);
  try {
    const { files } = exportHfModel(ckpt.path, target);
    return { dir: target, step: ckpt.step, files };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) throw fileProblem(e, target);
    throw new ServiceError('bad_request', e instanceof Error ? e.message.split('\n')[0]! : String(e));
  }
}
