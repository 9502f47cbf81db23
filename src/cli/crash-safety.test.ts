// Crash safety with the real engine: SIGKILL a training CLI at random points, 20+ times. After each kill the
// database is intact, every batch the process reported committed is there, the run is 'crashed' after reopen,
// and `loupe resume` continues from the last checkpoint; the step numbering ends up continuous.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { Store } from '../main/store/store.ts';
import { tempDir } from '../main/scheduler/testing/harness.ts';
import { collect, spawnLoupe } from './testing.ts';

interface Commit {
  runId: string;
  attempt: number;
  seq: number;
  points: [number, string][];
}

const kills = 20;

/** Deterministic "random" kill points, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('crash safety', () => {
  it(`survives ${kills} SIGKILLs of a training CLI and resumes with continuous steps`, async () => {
    const home = tempDir('loupe-crash-');
    const dbFile = path.join(home, 'loupe.db');
    const configFile = path.join(home, 'tiny.yaml');
    fs.writeFileSync(
      configFile,
      ['name: crash-test', 'backend: cpu', 'model: { n_layer: 1, n_head: 2, d_model: 16, block_size: 16 }',
        'train: { steps: 100000, batch_size: 2, warmup_steps: 0 }', 'eval: { every: 25, batches: 1 }', 'checkpoint: { every: 7 }'].join('\n'),
    );
    const env = { LOUPE_HOME: home, LOUPE_DEBUG_COMMITS: '1' };
    const random = rng(20261122);
    let runId: string | null = null;
    let resumesChecked = 0;
    let killsAfterCommit = 0;

    const attempt = async (stopCleanly: boolean): Promise<{ commits: Commit[]; code: number | null; signal: NodeJS.Signals | null }> => {
      const checkpointBefore = runId ? (withStore((s) => s.checkpoints.latest(runId!)?.step) ?? 0) : 0;
      const proc = spawnLoupe(runId ? ['resume', runId] : ['train', configFile], env);
      const commits: Commit[] = [];
      // A quarter of the kills land during start-up; the rest once training has gone a random number of steps
      // past where this attempt started (progress, not time, so a loaded machine kills at the same points),
      // plus a random few milliseconds so kills also fall inside steps, commits and checkpoint writes.
      const early = !stopCleanly && random() < 0.25;
      const targetSteps = 1 + Math.floor(random() * 30);
      const delay = early ? 150 + random() * 1500 : random() * 300;
      let timer: NodeJS.Timeout | null = early ? setTimeout(() => proc.kill('SIGKILL'), delay) : null;
      const done = collect(proc, (line) => {
        if (!line.startsWith('LOUPE_COMMIT ')) return;
        const c = JSON.parse(line.slice('LOUPE_COMMIT '.length)) as Commit;
        commits.push(c);
        runId ??= c.runId;
        const reached = Math.max(...c.points.map(([step]) => step)) - checkpointBefore;
        if (!timer && reached >= targetSteps) timer = setTimeout(() => proc.kill(stopCleanly ? 'SIGINT' : 'SIGKILL'), stopCleanly ? 300 : delay);
      });
      const r = await done;
      if (timer) clearTimeout(timer);
      // The first committed batch of a resumed attempt starts right after the checkpoint it resumed from.
      if (commits.length > 0 && checkpointBefore > 0) {
        const firstSteps = commits[0].points.filter(([, k]) => k === 'train/loss').map(([s]) => s);
        expect(Math.min(...firstSteps)).toBe(checkpointBefore + 1);
        resumesChecked++;
      }
      return { commits, code: r.code, signal: r.signal };
    };

    const withStore = <T>(fn: (s: Store) => T): T => {
      const s = Store.open(dbFile);
      try {
        return fn(s);
      } finally {
        s.close();
      }
    };

    for (let i = 0; i < kills; i++) {
      const { commits, signal } = await attempt(false);
      expect(signal).toBe('SIGKILL');
      if (!fs.existsSync(dbFile)) continue; // killed before the store was even created
      withStore((store) => {
        expect(store.integrityCheck()).toBe('ok');
        const has = store.db.prepare('SELECT 1 FROM metrics m JOIN metric_keys k ON k.id = m.key_id WHERE m.run_id = ? AND m.step = ? AND k.key = ?').pluck();
        for (const c of commits) for (const [step, key] of c.points) expect(has.get(c.runId, step, key), `batch ${c.seq} step ${step} ${key}`).toBe(1);
        if (!runId) {
          // Killed before the first commit of the first attempt: pick up the run it created, if any.
          runId = store.runs.list()[0]?.id ?? null;
        }
        if (!runId) return;
        const before = store.runs.require(runId).status;
        store.runs.recoverOrphans();
        const after = store.runs.require(runId).status;
        if (before === 'running') expect(after).toBe('crashed');
        else expect(['stopped', 'crashed']).toContain(after);
        if (commits.length > 0) {
          killsAfterCommit++;
          expect(after).toBe('crashed');
        }
      });
    }
    expect(killsAfterCommit).toBeGreaterThanOrEqual(kills / 2);
    expect(resumesChecked).toBeGreaterThanOrEqual(kills / 2);

    // Ctrl-C ends the last attempt cleanly: checkpoint at the last step, 'stopped', exit 130.
    const last = await attempt(true);
    expect(last.code).toBe(130);
    withStore((store) => {
      expect(store.integrityCheck()).toBe('ok');
      const run = store.runs.require(runId!);
      expect(run.status).toBe('stopped');
      expect(store.checkpoints.latest(runId!)!.step).toBe(run.steps);
      const [loss] = store.metrics.series(runId!, ['train/loss']);
      expect(loss.steps).toEqual(Array.from({ length: run.steps }, (_, i) => i + 1));
      expect(loss.values.every(Number.isFinite)).toBe(true);
    });
  }, 600_000);
});
