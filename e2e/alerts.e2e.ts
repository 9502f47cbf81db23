// Live alerts in browser mode: a run at lr 0.05 without warmup overshoots in its first steps; the alert shows as
// a toast while it trains, as a marker on the loss chart, in the run page's list (click zooms) and as a count in
// the runs table. Screenshots land in e2e/artifacts/alerts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startLoupe, until } from './harness.ts';

test('An alert that fires during a live run shows a toast and a chart marker', async () => {
  const s = await startLoupe({ name: 'alerts' });
  const { page, call } = s;
  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: join(s.artifacts, name) });
  try {
    await page.getByTestId('runs-empty').waitFor({ timeout: 60_000 });
    // The baseline recipe on a small model, at lr 0.05 with no warmup: the loss jumps in the first steps.
    const run = await call<{ id: string }>('runs.start', {
      name: 'lr-0.05-no-warmup',
      config: {
        model: { n_layer: 2, n_head: 4, d_model: 64, block_size: 64 },
        train: { steps: 120, batch_size: 8, lr: 0.05, warmup_steps: 0, min_lr: 1e-4 },
        eval: { every: 40, batches: 4 },
        checkpoint: { every: 1000 },
      },
    });
    // Same document, so the live event subscription the app holds stays open.
    await page.evaluate(`location.hash = ${JSON.stringify(`#/run/${encodeURIComponent(run.id)}`)}`);
    await page.getByTestId('loss-chart').waitFor();

    const toast = page.locator('.toast.toast-warning', { hasText: 'loss spike' }).first();
    await toast.waitFor({ timeout: 300_000 });
    const status = (await call<{ run: { status: string } }>('runs.get', { runId: run.id })).run.status;
    assert.ok(status === 'running' || status === 'queued', `the toast came while the run was live (status ${status})`);
    assert.match((await toast.textContent()) ?? '', /Learning rate likely too high/);
    await shot('01-toast-live.png');

    const lossBox = page.getByTestId('loss-chart');
    await until(async () => Number(await lossBox.getAttribute('data-alert-markers')), (n) => n >= 1, 60_000, 'a marker on the loss chart');
    const item = page.getByTestId('alerts-list').locator('li[data-kind="loss_spike"]').first();
    await item.waitFor({ timeout: 60_000 });
    assert.match((await item.textContent()) ?? '', /warning.*loss spike.*step \d+/);

    await until(async () => (await call<{ run: { status: string } }>('runs.get', { runId: run.id })).run.status, (st) => ['finished', 'failed', 'crashed', 'paused'].includes(st), 300_000, 'the run to end');
    await shot('02-run-page-markers.png');
    await item.click();
    await new Promise((r) => setTimeout(r, 500));
    await shot('03-zoomed-to-alert.png');

    await page.evaluate("location.hash = '#/'");
    const row = page.locator(`[data-testid="run-row"][data-run-id="${run.id}"]`);
    await row.waitFor({ timeout: 60_000 });
    const count = await until(async () => Number(await row.getByTestId('alert-count').getAttribute('data-warnings')), (n) => n >= 1, 60_000, 'the warning count');
    assert.ok(count >= 1);
    await shot('04-runs-table-count.png');
  } catch (e) {
    await shot('failure.png').catch(() => {});
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n--- server log ---\n${s.serverLog().slice(-3000)}`, { cause: e });
  } finally {
    await s.close();
  }
});
