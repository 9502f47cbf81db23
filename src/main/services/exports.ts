// Exports of a run: all metrics as CSV (one row per step, one column per key) and the latest checkpoint
// as a Hugging Face model folder. Files appear complete or not at all (temp file, then rename).
import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../store/store.ts';
import { exportHfModel } from '../engine/checkpoint/checkpoint.ts';
import { ServiceError } from './errors.ts';

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function formatValue(v: number): string {
  return Number.isNaN(v) ? 'NaN' : String(v);
}

export function exportCsv(store: Store, runId: string, file: string): { rows: number; columns: string[] } {
  const keys = store.metrics.keys(runId);
  const col = new Map(keys.map((k, i) => [k, i]));
  const target = path.resolve(file);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}`);
  let fd: number;
  try {
    fd = fs.openSync(tmp, 'w');
  } catch (e) {
    throw new ServiceError('bad_request', `cannot write ${target} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
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
    const code = (e as NodeJS.ErrnoException).code;
    throw new ServiceError('bad_request', code === 'ENOSPC' ? `disk full while writing ${target}` : `cannot write ${target} (${code ?? (e as Error).message})`);
  }
  return { rows, columns: ['step', ...keys] };
}

export function exportHf(store: Store, runId: string, dir: string): { dir: string; step: number; files: string[] } {
  const ckpt = store.checkpoints.latest(runId);
  if (!ckpt) throw new ServiceError('not_found', `run ${runId} has no checkpoint to export yet`);
  if (!fs.existsSync(ckpt.path)) throw new ServiceError('not_found', `checkpoint folder ${ckpt.path} of run ${runId} is missing`);
  const target = path.resolve(dir);
  try {
    const { files } = exportHfModel(ckpt.path, target);
    return { dir: target, step: ckpt.step, files };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const msg = code === 'ENOSPC' ? `disk full while writing ${target}` : e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new ServiceError('bad_request', msg);
  }
}
