// MLflow file stores (`mlruns/`) to runs: a run folder holds meta.yaml, metrics/<key> ("timestamp value step" per
// line; nested keys are sub-folders), params/<key> and tags/. The folder given may be the store, an experiment or a run.
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { MetricPoint } from '../../../shared/metrics.ts';
import type { RunStatus } from '../../../shared/runs.ts';
import type { ImportedRun } from '../import-run.ts';
import { ImportError, type Progress } from './errors.ts';

const isRunDir = (d: string): boolean => fs.existsSync(path.join(d, 'metrics')) && fs.statSync(path.join(d, 'metrics')).isDirectory();
const subdirs = (d: string): string[] =>
  fs
    .readdirSync(d, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== '.trash')
    .map((e) => path.join(d, e.name))
    .sort();

export function findMlflowRuns(dir: string): string[] {
  if (isRunDir(dir)) return [dir];
  const runs = subdirs(dir).filter(isRunDir);
  if (runs.length) return runs;
  return subdirs(dir).flatMap((exp) => subdirs(exp).filter(isRunDir));
}

/** Files under a folder as keys relative to it ("train/loss" for metrics/train/loss). */
function keyedFiles(dir: string, prefix = ''): [string, string][] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e): [string, string][] => {
      const p = path.join(dir, e.name);
      const key = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) return keyedFiles(p, key);
      return e.isFile() ? [[key, p]] : [];
    });
}

function number(s: string): number {
  const t = s.trim().toLowerCase();
  if (t === 'nan') return NaN;
  if (t === 'inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  return t === '' ? NaN : Number(t);
}

/** MLflow's RunStatus numbers (1 running, 2 scheduled, 3 finished, 4 failed, 5 killed) or names. */
function status(meta: Record<string, unknown>): { status: RunStatus; error: string | null } {
  const s = meta['status'];
  if (s === 3 || s === 'FINISHED') return { status: 'finished', error: null };
  if (s === 4 || s === 'FAILED') return { status: 'failed', error: 'the MLflow run failed' };
  if (s === 5 || s === 'KILLED') return { status: 'stopped', error: 'the MLflow run was killed' };
  if (s === 1 || s === 'RUNNING' || s === 2 || s === 'SCHEDULED') return { status: 'stopped', error: 'the MLflow run was still running when imported' };
  return { status: 'finished', error: null };
}

export function readMlflow(dir: string, opts: { name?: string; onProgress?: Progress } = {}): ImportedRun[] {
  const abs = path.resolve(dir);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) throw new ImportError(`not a folder: ${abs}`);
  const runDirs = findMlflowRuns(abs);
  if (runDirs.length === 0) throw new ImportError(`no MLflow runs under ${abs} (expected <experiment>/<run>/metrics/ as MLflow's file store writes them)`);
  const files = runDirs.map((r) => keyedFiles(path.join(r, 'metrics')));
  const total = files.flat().reduce((n, [, f]) => n + fs.statSync(f).size, 0);
  let done = 0;
  return runDirs.map((runDir, i) => {
    let meta: Record<string, unknown> = {};
    const metaFile = path.join(runDir, 'meta.yaml');
    if (fs.existsSync(metaFile)) {
      try {
        const parsed: unknown = parseYaml(fs.readFileSync(metaFile, 'utf8'));
        if (parsed && typeof parsed === 'object') meta = parsed as Record<string, unknown>;
      } catch (e) {
        throw new ImportError(`${metaFile} is not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      }
    }
    const params: Record<string, unknown> = {};
    for (const [k, f] of keyedFiles(path.join(runDir, 'params'))) {
      const v = fs.readFileSync(f, 'utf8').trim();
      params[k] = v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
    }
    const tagFile = path.join(runDir, 'tags', 'mlflow.runName');
    const runName = fs.existsSync(tagFile) ? fs.readFileSync(tagFile, 'utf8').trim() : typeof meta['run_name'] === 'string' ? meta['run_name'] : path.basename(runDir);
    const points: MetricPoint[] = [];
    const notes: string[] = [];
    for (const [key, f] of files[i]) {
      const text = fs.readFileSync(f, 'utf8');
      let bad = 0;
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        const parts = line.trim().split(/\s+/);
        const step = parts.length >= 3 ? Number(parts[2]) : NaN;
        if (parts.length < 2 || !Number.isInteger(step) || step < 0) {
          bad++;
          continue;
        }
        points.push({ step, key: key.slice(0, 200), value: number(parts[1]) });
      }
      if (bad) notes.push(`metrics/${key}: ${bad} line(s) were not "timestamp value step" and were skipped`);
      done += Buffer.byteLength(text);
      opts.onProgress?.(done, total);
    }
    // MLflow appends in logging order; one key's steps in order keep the monitor's windows right.
    points.sort((a, b) => a.step - b.step);
    const name = opts.name ? (runDirs.length > 1 ? `${opts.name}/${runName}` : opts.name) : runName;
    return { kind: 'mlflow' as const, path: runDir, name, sourceConfig: params, points, notes, ...status(meta) };
  });
}
