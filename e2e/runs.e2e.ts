// One click trains the baseline with live charts: Run baseline → points arrive on the loss chart → the run
// finishes in the table → a reload shows the same history. Screenshots land in e2e/artifacts/runs/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startLoupe } from './harness.ts';

const STEPS = 30;

async function plottedPoints(page: Page): Promise<number> {
  return Number((await page.getByTestId('loss-chart').getAttribute('data-points')) ?? 0);
}

/** Polls `read` until `ok` holds; returns the last value. */
async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  let v = await read();
  while (!ok(v)) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what} (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 250));
    v = await read();
  }
  return v;
}

test('Run baseline trains live, finishes in the table, and its history survives a reload', async () => {
  const s = await startLoupe({ name: 'runs', env: { LOUPE_BASELINE_STEPS: String(STEPS) } });
  const { page } = s;
  try {
    await page.getByTestId('runs-empty').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(s.artifacts, '01-home-empty.png') });

    // One click: the run starts and its page opens.
    await page.getByTestId('run-baseline').click();
    await page.waitForURL(/#\/run\/[^/]+$/, { timeout: 60_000 });
    const runId = decodeURIComponent(new URL(page.url()).hash.replace(/^#\/run\//, ''));
    await page.getByTestId('loss-chart').waitFor();

    // Live: points arrive and keep arriving on the loss chart.
    const first = await until(() => plottedPoints(page), (n) => n > 0, 240_000, 'the first train-loss points');
    await page.screenshot({ path: join(s.artifacts, '02-run-live.png') });
    const later = await until(() => plottedPoints(page), (n) => n > first || n >= STEPS, 240_000, 'more train-loss points');
    assert.ok(later > first || later >= STEPS, `points should grow while training (first ${first}, later ${later})`);

    // The run finishes; the table says so.
    await page.goto(`${s.baseUrl}/#/`);
    const row = page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
    await row.waitFor({ timeout: 60_000 });
    await until(() => row.getAttribute('data-status'), (st) => st === 'finished' || st === 'failed' || st === 'crashed', 300_000, 'the run to end');
    assert.equal(await row.getAttribute('data-status'), 'finished', `run ended as ${await row.getAttribute('data-status')}:\n${s.serverLog().slice(-2000)}`);
    await page.screenshot({ path: join(s.artifacts, '03-home-finished.png') });

    // History: the run page after a reload plots every stored step.
    await page.goto(`${s.baseUrl}/#/run/${encodeURIComponent(runId)}`);
    const before = await until(() => plottedPoints(page), (n) => n >= STEPS, 60_000, 'the stored history');
    await page.reload();
    await page.getByTestId('loss-chart').waitFor();
    const after = await until(() => plottedPoints(page), (n) => n >= before, 60_000, 'the same history after a reload');
    assert.equal(after, before, 'a reload shows the same number of train-loss points');
    await page.screenshot({ path: join(s.artifacts, '04-run-reloaded.png'), fullPage: true });
  } catch (e) {
    await page.screenshot({ path: join(s.artifacts, 'failure.png') }).catch(() => {});
    throw e;
  } finally {
    await s.close();
  }
});
