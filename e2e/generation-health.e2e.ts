// Generation health over training: a small run with eval.generation on records gen/* at each eval, and its run page
// shows the "Generation health" panel with those points. Screenshots land in e2e/artifacts/generation-health/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startLoupe, until } from './harness.ts';

const STEPS = 6;
const EVERY = 3;

test('A run with eval.generation records gen/* at each eval and its run page charts them', async () => {
  const s = await startLoupe({ name: 'generation-health' });
  const { page, call } = s;
  try {
    await page.getByTestId('runs-empty').waitFor({ timeout: 60_000 });
    const run = await call<{ id: string }>('runs.start', {
      name: 'gen-health',
      config: {
        model: { n_layer: 2, n_head: 2, d_model: 32, block_size: 64 },
        train: { steps: STEPS, batch_size: 4, warmup_steps: 1 },
        eval: { every: EVERY, batches: 1, generation: true },
      },
    });
    await until(async () => (await call<{ run: { status: string } }>('runs.get', { runId: run.id })).run.status, (st) => ['finished', 'failed', 'crashed'].includes(st), 300_000, 'the run to end');
    const detail = await call<{ run: { status: string } }>('runs.get', { runId: run.id });
    assert.equal(detail.run.status, 'finished', `run ended badly:\n${s.serverLog().slice(-2000)}`);

    const series = await call<{ key: string; steps: number[]; values: unknown[] }[]>('runs.metrics', { runId: run.id });
    for (const key of ['gen/seq_rep_4', 'gen/distinct_2', 'gen/entropy', 'gen/loop_fraction', 'gen/keyword_score', 'gen/cross_prompt_sameness']) {
      const sr = series.find((x) => x.key === key);
      assert.ok(sr, `${key} is stored`);
      assert.deepEqual(sr.steps, [0, EVERY, STEPS], `${key} at every eval step`);
    }

    await page.goto(`${s.baseUrl}/#/run/${encodeURIComponent(run.id)}`);
    const panel = page.getByTestId('generation-health');
    await panel.waitFor({ timeout: 60_000 });
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(s.artifacts, '01-run-page-generation-health.png'), fullPage: true });
  } catch (e) {
    await page.screenshot({ path: join(s.artifacts, 'failure.png') }).catch(() => {});
    throw e;
  } finally {
    await s.close();
  }
});
