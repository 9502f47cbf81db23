// `loupe delete RUN --yes` as a real process: refused without --yes and for unarchived or unknown runs (one line,
// nothing changed); `loupe archive RUN` then `loupe delete RUN --yes` removes the run's rows and folder.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { resolveConfig } from '../../shared/config.ts';
import { Store } from '../../main/store/store.ts';
import { tempDir } from '../../main/scheduler/testing/harness.ts';
import { loupe, type CliResult } from '../testing.ts';

function expectOneLineError(r: CliResult, code: number, ...needles: string[]): void {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  for (const n of needles) expect(lines[0]).toContain(n);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

/** A finished run with a checkpoint file, written straight into a fresh LOUPE_HOME. */
function home(): { env: NodeJS.ProcessEnv; dir: string; runId: string; file: string } {
  const dir = tempDir();
  const store = Store.open(path.join(dir, 'loupe.db'));
  const r = resolveConfig({ name: 'cli victim', train: { steps: 10, warmup_steps: 0 } });
  if (!r.ok) throw new Error('bad test config');
  const run = store.runs.create({ name: 'cli victim', config: r.config, status: 'finished' });
  store.metrics.insert(run.id, 1, 0, [{ step: 1, key: 'train/loss', value: 3 }]);
  const ckpt = path.join(dir, 'runs', run.id, 'checkpoints', 'step-1');
  fs.mkdirSync(ckpt, { recursive: true });
  const file = path.join(ckpt, 'weights.bin');
  fs.writeFileSync(file, 'w');
  store.checkpoints.add(run.id, { step: 1, path: ckpt, sha256: 'x', bytes: 1, valLoss: null });
  store.runs.setStatus(run.id, 'finished');
  store.close();
  return { env: { LOUPE_HOME: dir }, dir, runId: run.id, file };
}

function stillThere(dir: string, runId: string, file: string): void {
  const store = Store.open(path.join(dir, 'loupe.db'));
  expect(store.runs.get(runId)).not.toBeNull();
  expect(store.metrics.series(runId)[0].steps).toEqual([1]);
  store.close();
  expect(fs.existsSync(file)).toBe(true);
}

describe('loupe delete', () => {
  it('refuses without --yes, for an unarchived run and for an unknown one, changing nothing', async () => {
    const { env, dir, runId, file } = home();
    expectOneLineError(await loupe(['delete', runId], env), 2, 'without --yes', 'permanent');
    expectOneLineError(await loupe(['delete', runId, '--yes'], env), 1, 'not archived', `loupe archive ${runId}`);
    expectOneLineError(await loupe(['delete', 'nope', '--yes'], env), 1, 'no run with id or name "nope"');
    stillThere(dir, runId, file);
  });

  it('archive, then delete --yes: the run and its checkpoint folder are gone', async () => {
    const { env, dir, runId } = home();
    const archived = await loupe(['archive', runId.slice(-4)], env);
    expect(archived.code, archived.stderr).toBe(0);
    expect(archived.stdout).toContain(`archived run ${runId}`);

    const deleted = await loupe(['delete', runId, '--yes'], env);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toBe(`deleted run ${runId} (cli victim): metrics, alerts, samples and checkpoints; 1 file removed\n`);
    expect(fs.existsSync(path.join(dir, 'runs', runId))).toBe(false);

    const store = Store.open(path.join(dir, 'loupe.db'));
    expect(store.runs.list({ includeArchived: true })).toEqual([]);
    expect(store.db.prepare('SELECT count(*) FROM metrics').pluck().get()).toBe(0);
    expect(store.integrityCheck()).toBe('ok');
    store.close();

    expectOneLineError(await loupe(['delete', runId, '--yes'], env), 1, `no run with id or name "${runId}"`);
  });
});
