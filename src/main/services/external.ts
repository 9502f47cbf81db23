// Runs from elsewhere: watching run files written by PyTorch jobs (the Python logger in resources/) and importing
// TensorBoard, MLflow and CSV logs. They land in the same store, with the same alerts and events, as Loupe's own.
import fs from 'node:fs';
import path from 'node:path';
import type { RunSummary } from '../../shared/runs.ts';
import type { Store } from '../store/store.ts';
import type { ServiceEvents } from '../scheduler/events.ts';
import type { MonitorFactory } from '../monitor/index.ts';
import { startWatch, type Watch } from '../external/watcher.ts';
import { ServiceError } from './errors.ts';
import { storeImportedRun, type ImportedRun } from '../external/import-run.ts';
import { readTensorboard } from '../external/importers/tensorboard.ts';
import { readMlflow } from '../external/importers/mlflow.ts';
import { readCsv } from '../external/importers/csv.ts';
import { ImportError, type Progress } from '../external/importers/errors.ts';
import { exportTorch, TorchExportError } from '../external/torch-export.ts';
import { repoRoot } from '../repo-root.ts';

export interface WatchParams {
  path: string;
  /** Seconds without growth before a run file is marked stale (default 300). */
  staleAfterS?: number;
  name?: string;
  onRun?: (run: RunSummary, file: string) => void;
}

export interface WatchInfo {
  path: string;
  kind: 'file' | 'dir';
  runIds: string[];
}

export interface ImportParams {
  path: string;
  /** Run name (several runs: NAME/<source name>); default: the source folder or file. */
  name?: string;
  onProgress?: Progress;
}

export interface ExternalServices {
  /** TensorBoard event files: one run per folder of them, files in a folder merged. */
  importTensorboard(p: ImportParams): RunSummary[];
  /** An MLflow file store, experiment or run folder: one run per MLflow run. */
  importMlflow(p: ImportParams): RunSummary[];
  importCsv(p: ImportParams & { stepCol?: string }): RunSummary;
  /** The run's recipe as a PyTorch script (plus logger and tokens) that runs under torchrun unchanged. */
  exportTorch(runId: string, dir: string): { dir: string; files: string[]; tokens: number; vocab: number };
  /** Starts following a run file or a folder of them in this process; a path already watched returns that watch. */
  watch(params: WatchParams): Watch;
  watching(): WatchInfo[];
  unwatch(path: string): Promise<void>;
  /** Stops every watch (unfinished runs are marked stopped; watching again continues them). */
  close(): Promise<void>;
}

export const defaultStaleAfterS = 300;

export function createExternalServices(deps: { store: Store; events: ServiceEvents; monitorFactory: MonitorFactory | null }): ExternalServices {
  const watches = new Map<string, Watch>();
  /** Reads the whole source first: bad input stores nothing. */
  const store = (read: () => ImportedRun[]): RunSummary[] => {
    let runs: ImportedRun[];
    try {
      runs = read();
    } catch (e) {
      if (e instanceof ImportError) throw new ServiceError('bad_request', e.message);
      throw e;
    }
    return runs.map((r) => storeImportedRun(deps, r));
  };
  return {
    importTensorboard: (p) => store(() => readTensorboard(p.path, p)),
    importMlflow: (p) => store(() => readMlflow(p.path, p)),
    importCsv: (p) => store(() => [readCsv(p.path, p)])[0],
    exportTorch(runId, dir) {
      const run = deps.store.runs.require(runId);
      try {
        return exportTorch({ runId: run.id, name: run.name, config: deps.store.runs.config(run.id), dir, loggerFile: pythonLoggerFile });
      } catch (e) {
        if (e instanceof TorchExportError) throw new ServiceError('bad_request', e.message);
        if (e instanceof Error && e.message.startsWith('data.corpus')) throw new ServiceError('bad_request', e.message);
        throw e;
      }
    },
    watch(p) {
      const abs = path.resolve(p.path);
      const existing = watches.get(abs);
      if (existing) return existing;
      if (!fs.existsSync(abs)) throw new ServiceError('not_found', `no such file or folder: ${abs}`);
      const stale = p.staleAfterS ?? defaultStaleAfterS;
      if (!(stale > 0)) throw new ServiceError('bad_request', 'the stale timeout must be a positive number of seconds');
      const w = startWatch(abs, deps, { staleAfterMs: stale * 1000, name: p.name, onRun: p.onRun });
      watches.set(abs, w);
      void w.done.finally(() => watches.delete(abs)).catch(() => {});
      return w;
    },
    watching: () => [...watches.values()].map((w) => ({ path: w.path, kind: w.kind, runIds: w.runIds() })),
    async unwatch(p) {
      const w = watches.get(path.resolve(p));
      if (!w) throw new ServiceError('not_found', `not watching ${path.resolve(p)}`);
      await w.stop();
    },
    async close() {
      await Promise.all([...watches.values()].map((w) => w.stop()));
    },
  };
}

/** The dependency-free Python logger that writes run files (shown by `loupe logger --print`). */
export const pythonLoggerFile = path.join(repoRoot, 'resources', 'loupe_logger.py');

export function pythonLoggerSource(): string {
  return fs.readFileSync(pythonLoggerFile, 'utf8');
}

/** Copies the logger into `dir` (created if needed); returns the file written. */
export function writePythonLogger(dir: string): string {
  const target = path.join(path.resolve(dir), path.basename(pythonLoggerFile));
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new ServiceError('bad_request', `${dir} is not a folder`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(pythonLoggerFile, target);
  return target;
}
