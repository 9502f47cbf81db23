// Watches a run file (until its `end` line) or a folder of them (until stopped, picking up new files) by polling:
// polling works the same on every file system, network mounts included, where change notifications do not.
import fs from 'node:fs';
import path from 'node:path';
import type { RunSummary } from '../../shared/runs.ts';
import type { IngestDeps } from './ingest.ts';
import { RunFileFollower } from './runfile-follower.ts';

export interface WatchOptions {
  staleAfterMs: number;
  pollMs?: number;
  /** Folder watches look for new files this often. */
  scanMs?: number;
  name?: string;
  onRun?: (run: RunSummary, file: string) => void;
}

export interface Watch {
  readonly path: string;
  readonly kind: 'file' | 'dir';
  runIds(): string[];
  /** File: resolves after its `end` line. Folder: resolves once stopped. Either way with the runs it fed. */
  readonly done: Promise<RunSummary[]>;
  stop(): Promise<RunSummary[]>;
}

const runFilePattern = /\.jsonl$/i;
const maxDepth = 3;

/** Run files under a folder (a few levels deep, as torchrun jobs nest them by run), sorted for a stable order. */
export function findRunFiles(dir: string, depth = 0): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isFile() && runFilePattern.test(e.name)) out.push(p);
    else if (e.isDirectory() && depth < maxDepth && !e.name.startsWith('.')) out.push(...findRunFiles(p, depth + 1));
  }
  return out.sort();
}

export function startWatch(target: string, deps: IngestDeps, opts: WatchOptions): Watch {
  const abs = path.resolve(target);
  const kind: 'file' | 'dir' = fs.statSync(abs).isDirectory() ? 'dir' : 'file';
  const followers = new Map<string, RunFileFollower>();
  const pollMs = opts.pollMs ?? 250;
  let stopped = false;
  let resolveDone!: (runs: RunSummary[]) => void;
  const done = new Promise<RunSummary[]>((r) => (resolveDone = r));
  const summaries = (): RunSummary[] =>
    [...followers.values()].flatMap((f) => {
      const run = f.runId ? deps.store.runs.get(f.runId) : null;
      return run ? [run] : [];
    });

  const follow = (file: string): void => {
    if (followers.has(file)) return;
    const f = new RunFileFollower(file, deps, {
      staleAfterMs: opts.staleAfterMs,
      name: kind === 'file' ? opts.name : undefined,
      onRun: (run) => opts.onRun?.(run, file),
    });
    followers.set(file, f);
  };

  const tick = (): void => {
    if (stopped) return;
    for (const f of followers.values()) {
      try {
        f.poll();
      } catch (e) {
        // A storage failure stops this watch; the runs it fed keep what was committed.
        void finish(e);
        return;
      }
    }
    if (kind === 'file' && [...followers.values()].every((f) => f.isEnded)) void finish(null);
  };

  const scan = (): void => {
    if (!stopped) for (const f of findRunFiles(abs)) follow(f);
  };

  let pollTimer: NodeJS.Timeout | null = null;
  let scanTimer: NodeJS.Timeout | null = null;
  let failure: unknown = null;
  const finish = async (err: unknown): Promise<RunSummary[]> => {
    if (!stopped) {
      stopped = true;
      failure = err;
      if (pollTimer) clearInterval(pollTimer);
      if (scanTimer) clearInterval(scanTimer);
      for (const f of followers.values()) {
        try {
          f.stop();
        } catch {
          // Best effort: the store may be the thing that failed.
        }
      }
      resolveDone(summaries());
    }
    return done;
  };

  if (kind === 'file') follow(abs);
  else scan();
  // The first read happens now, so a complete file is in the store before this returns.
  tick();
  if (!stopped) {
    pollTimer = setInterval(tick, pollMs);
    if (kind === 'dir') scanTimer = setInterval(scan, opts.scanMs ?? 1000);
  }
  return {
    path: abs,
    kind,
    runIds: () => [...followers.values()].flatMap((f) => (f.runId ? [f.runId] : [])),
    done: done.then((runs) => {
      if (failure) throw failure;
      return runs;
    }),
    stop: () => finish(null),
  };
}
