// `loupe sample` end to end on a temporary LOUPE_HOME: train a tiny run with `loupe train`, then sample it as
// JSON and as text, by run id, RUN@STEP and checkpoint folder; bad refs and flags fail with one line.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loupe } from '../testing.ts';
import { Sample } from '../../shared/api/samples.ts';
import { tinyText } from '../../main/engine/testing/tiny.ts';
import { parseTarget } from './sample.ts';

let home: string;
let env: NodeJS.ProcessEnv;
let runId: string;
let lastCheckpoint: string;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'loupe-cli-sample-'));
  env = { LOUPE_HOME: home };
  const corpus = join(home, 'corpus.txt');
  writeFileSync(corpus, tinyText(8000));
  const config = join(home, 'tiny.yaml');
  writeFileSync(
    config,
    [
      'name: tiny-cli-sample',
      'seed: 7',
      'data:',
      `  corpus: ${JSON.stringify(corpus)}`,
      'model: { n_layer: 1, n_head: 2, d_model: 16, block_size: 16 }',
      'train: { steps: 6, batch_size: 4, warmup_steps: 2 }',
      'eval: { every: 3, batches: 1 }',
      'checkpoint: { every: 3 }',
    ].join('\n'),
  );
  const r = await loupe(['train', config, '--json'], env);
  expect(r.stderr).not.toMatch(/Error|at .*\.ts:/);
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { run_id: string; status: string; checkpoint: string | null };
  expect(out.status).toBe('finished');
  runId = out.run_id;
  lastCheckpoint = out.checkpoint!;
}, 180_000);
afterAll(() => {
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('loupe sample', () => {
  it('--json prints the stored sample with its diagnostics', async () => {
    const r = await loupe(['sample', runId, '--prompt', 'the whale', '--max-tokens', '20', '--temperature', '0', '--json'], env);
    expect(r.code).toBe(0);
    const sample = Sample.parse(JSON.parse(r.stdout));
    expect(sample).toMatchObject({ runId, step: 6, prompt: 'the whale', finish: 'length' });
    expect(sample.settings).toMatchObject({ maxTokens: 20, temperature: 0 });
    expect(sample.diagnostics.tokens).toBe(20);
    expect(sample.diagnostics.memorization).not.toBeNull();
    // Greedy decoding is deterministic: the same request gives the same text (the index now comes from the cache).
    const again = await loupe(['sample', runId, '--prompt', 'the whale', '--max-tokens', '20', '--temperature', '0', '--json'], env);
    expect(Sample.parse(JSON.parse(again.stdout)).text).toBe(sample.text);
  }, 120_000);

  it('prints the text and a diagnostics block; RUN@STEP and a checkpoint folder work too', async () => {
    const r = await loupe(['sample', `${runId}@3`, '--prompt', 'ship', '--max-tokens', '12', '--top-k', '5', '--top-p', '0.9', '--seed', '4'], env);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('ship')).toBe(true);
    expect(r.stdout).toContain(`run tiny-cli-sample (${runId}) at step 3 · 12 tokens`);
    expect(r.stdout).toMatch(/seq-rep-1\.\.4 {3}[\d.]+ {2}[\d.]+ {2}[\d.]+ {2}[\d.]+/);
    expect(r.stdout).toMatch(/mean entropy {3}[\d.]+ nats/);
    expect(r.stdout).toMatch(/\nloop {11}/);
    expect(r.stdout).toMatch(/\nmemorised {6}/);
    const byPath = await loupe(['sample', lastCheckpoint, '--prompt', 'sea', '--max-tokens', '4', '--json'], env);
    expect(byPath.code).toBe(0);
    expect(JSON.parse(byPath.stdout)).toMatchObject({ runId, step: 6 });
  }, 120_000);

  it('fails with one line for a bad run, a missing step or a bad flag', async () => {
    const none = await loupe(['sample', 'nope-nope', '--prompt', 'x'], env);
    expect(none.code).toBe(1);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toMatch(/^loupe: .*nope-nope/);
    const step = await loupe(['sample', `${runId}@4`, '--prompt', 'x'], env);
    expect(step.stderr.trim()).toBe(`loupe: run ${runId} has no checkpoint at step 4 (it has 3, 6)`);
    const flag = await loupe(['sample', runId, '--prompt', 'x', '--top-p', '2'], env);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--top-p must be a number in (0, 1]');
  }, 120_000);

  it('reads RUN, RUN@STEP and folders', () => {
    expect(parseTarget('abc')).toEqual({ runId: 'abc', step: null });
    expect(parseTarget('abc@12')).toEqual({ runId: 'abc', step: 12 });
    expect(parseTarget(tmpdir())).toEqual({ path: tmpdir() });
  });
});
