// The research instruments in the app: a run with eval.diagnostics stores condensation histograms from step 0 and
// its run page draws the heatmap; the Compare page compares any recorded metric (condensation at step 0 here)
// across seed replicates. Screenshots land in e2e/artifacts/instruments/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startLoupe, until } from './harness.ts';

const STEPS = 6;
const EVERY = 3;
const tiny = (mlp: number): Record<string, unknown> => ({
  model: { n_layer: 2, n_head: 2, d_model: 32, block_size: 32, mlp_hidden: mlp },
  train: { steps: STEPS, batch_size: 4, warmup_steps: 1 },
  eval: { every: EVERY, batches: 1, diagnostics: true },
  checkpoint: { every: STEPS },
});

test('condensation heatmap on the run page, and an any-metric comparison', async () => {
  const s = await startLoupe({ name: 'instruments' });
  const { page, call } = s;
  try {
    await page.getByTestId('runs-empty').waitFor({ timeout: 60_000 });
    const runs: { id: string }[] = [];
    for (const [mlp, seed] of [[32, 1], [32, 2], [256, 1], [256, 2]] as const) {
      runs.push(await call<{ id: string }>('runs.start', { name: `mlp${mlp}-s${seed}`, groupName: `mlp${mlp}`, config: { ...tiny(mlp), seed } }));
    }
    for (const r of runs) {
      await until(async () => (await call<{ run: { status: string } }>('runs.get', { runId: r.id })).run.status, (st) => ['finished', 'failed', 'crashed'].includes(st), 600_000, 'the runs to end');
    }
    const history = await call<{ bins: number; points: { step: number; layer: number; histogram: number[] }[] }>('runs.condensation', { runId: runs[0]!.id });
    assert.equal(history.bins, 128);
    assert.deepEqual([...new Set(history.points.map((p) => p.step))], [0, EVERY, STEPS], 'histograms at every eval, step 0 included');
    assert.deepEqual([...new Set(history.points.map((p) => p.layer))], [0, 1, 2]);

    await page.goto(`${s.baseUrl}/#/run/${encodeURIComponent(runs[0]!.id)}`);
    const panel = page.getByTestId('condensation');
    await panel.waitFor({ timeout: 60_000 });
    await until(() => panel.getAttribute('data-steps'), (v) => v === '3', 60_000, 'the heatmap to load');
    assert.equal(await panel.getAttribute('data-layers'), '3');
    await page.getByTestId('gap-chart').waitFor();
    assert.match(await page.getByTestId('fact-compute').innerText(), /e[+-]?\d+ FLOPs[\s\S]*\/ token · \d\.\d{3} epochs/);
    await panel.scrollIntoViewIfNeeded();
    await page.waitForTimeout(500);
    await panel.screenshot({ path: join(s.artifacts, '01-condensation-heatmap.png') });
    await page.screenshot({ path: join(s.artifacts, '02-run-page.png'), fullPage: true });

    await page.goto(`${s.baseUrl}/#/compare/${encodeURIComponent('g:mlp32')},${encodeURIComponent('g:mlp256')}`);
    // Neither group links to a baseline: pick one, as a user would.
    await page.getByTestId('compare-baseline').selectOption('group:mlp32');
    await page.getByTestId('compare-table').waitFor({ timeout: 60_000 });
    await until(() => page.locator('[data-testid="compare-metric"] option').count(), (n) => n > 10, 30_000, 'the metric picker to list the recorded keys');
    await page.getByTestId('compare-metric').selectOption('diag/condensation/layer_2');
    await page.getByTestId('compare-at').selectOption('step');
    await until(() => page.locator('[data-testid="at-step"]').count(), (n) => n === 2, 30_000, 'the at-step column');
    const rows = await page.locator('[data-testid="compare-row"]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-label'), e.getAttribute('data-verdict')]));
    assert.equal(rows.length, 2);
    assert.ok(rows.some(([, v]) => v === 'baseline'));
    assert.ok(rows.some(([, v]) => v === 'significant' || v === 'within noise'), `a Welch verdict on condensation: ${JSON.stringify(rows)}`);
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(s.artifacts, '03-compare-condensation-at-step-0.png'), fullPage: true });
  } catch (e) {
    await page.screenshot({ path: join(s.artifacts, 'failure.png') }).catch(() => {});
    throw e;
  } finally {
    await s.close();
  }
});
