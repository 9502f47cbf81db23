// TensorBoard event files (`events.out.tfevents.*`) to runs: each folder of event files is one run (TensorBoard's
// own notion), its files read in name order (their names start with the creation time) and merged.
import fs from 'node:fs';
import path from 'node:path';
import type { MetricPoint } from '../../../shared/metrics.ts';
import { readRecords, TFRecordError } from '../tfrecord.ts';
import { decodeEvent } from '../tf-event.ts';
import type { ImportedRun } from '../import-run.ts';
import { ImportError, type Progress } from './errors.ts';

const maxDepth = 4;

export function findEventFiles(target: string): string[] {
  const st = fs.statSync(target);
  if (st.isFile()) return [target];
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isFile() && e.name.includes('tfevents')) out.push(p);
      else if (e.isDirectory() && depth < maxDepth && !e.name.startsWith('.')) walk(p, depth + 1);
    }
  };
  walk(target, 0);
  return out;
}

export function readTensorboard(target: string, opts: { name?: string; onProgress?: Progress } = {}): ImportedRun[] {
  const abs = path.resolve(target);
  if (!fs.existsSync(abs)) throw new ImportError(`no such file or folder: ${abs}`);
  const files = findEventFiles(abs);
  if (files.length === 0) throw new ImportError(`no TensorBoard event files (names containing "tfevents") under ${abs}`);
  const byDir = new Map<string, string[]>();
  for (const f of files) byDir.set(path.dirname(f), [...(byDir.get(path.dirname(f)) ?? []), f]);
  const total = files.reduce((n, f) => n + fs.statSync(f).size, 0);
  let done = 0;
  const root = fs.statSync(abs).isDirectory() ? abs : path.dirname(abs);
  const runs: ImportedRun[] = [];
  // The folder given first, then its sub-folders (train/, eval/ ...) by path.
  const groups = [...byDir].sort(([a], [b]) => a.split(path.sep).length - b.split(path.sep).length || a.localeCompare(b));
  for (const [dir, list] of groups) {
    const points: MetricPoint[] = [];
    const notes: string[] = [];
    let skipped = 0;
    for (const file of list) {
      const buf = fs.readFileSync(file);
      const truncated = { at: null as number | null };
      let records = 0;
      try {
        for (const rec of readRecords(buf, file, truncated)) {
          records++;
          let decoded: ReturnType<typeof decodeEvent>;
          try {
            decoded = decodeEvent(rec.data);
          } catch (e) {
            throw new ImportError(`${file}: the record at byte ${rec.offset} is not an Event protobuf (${e instanceof Error ? e.message : String(e)})`);
          }
          skipped += decoded.skipped;
          for (const s of decoded.scalars) points.push({ step: s.step, key: s.tag.slice(0, 200), value: s.value });
        }
      } catch (e) {
        if (e instanceof TFRecordError) throw new ImportError(e.message);
        throw e;
      }
      if (truncated.at !== null) notes.push(`${path.basename(file)}: the last record (at byte ${truncated.at}) is cut short and was skipped; the writer may still be running`);
      if (records === 0) notes.push(`${path.basename(file)} holds no records`);
      done += buf.length;
      opts.onProgress?.(done, total);
    }
    if (skipped) notes.push(`${skipped} non-scalar summaries (histograms, images, text) were skipped`);
    const rel = path.relative(root, dir);
    const base = rel === '' ? path.basename(root) : rel.split(path.sep).join('/');
    const name = opts.name ? (byDir.size > 1 && rel !== '' ? `${opts.name}/${base}` : opts.name) : base;
    if (points.length === 0) notes.push('no scalar values found');
    runs.push({ kind: 'tensorboard', path: list.length === 1 ? list[0] : dir, name, sourceConfig: null, points, notes });
  }
  return runs;
}
