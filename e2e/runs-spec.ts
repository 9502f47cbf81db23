// The one-click baseline spec, shared by browser mode (runs.e2e.ts) and the desktop app (electron.e2e.ts):
// Run baseline → points arrive on the loss chart → the run finishes in the table → a reload shows the same history.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { until } from './harness.ts';

export interface SpecTarget {
  page: Page;
  /** Folder the screenshots go to. */
  artifacts: string;
  /** Opens an in-app route such as '#/' or '#/run/<id>'. */
  open(hash: string): Promise<void>;
  /** The server's (or app's) output so far, for failure messages. */
  log(): string;
}

async function plottedPoints(page: Page): Promise<number> {
  return Number((await page.getByTestId('loss-chart').getAttribute('data-points')) ?? 0);
}

export async function runBaselineSpec(t: SpecTarget, steps: number): Promise<void> {
  const { page } = t;
  const shot = (name: string, fullPage = false): Promise<Buffer> => page.screenshot({ path: join(t.artifacts, name), fullPage });
  try {
    await page.getByTestId('runs-empty').waitFor({ timeout: 60_000 });
    await shot('01-home-empty.png');

    // One click: the run starts and its page opens.
    await page.getByTestId('run-baseline').click();
    await page.waitForURL(/#\/run\/[^/]+$/, { timeout: 60_000 });
    const runId = decodeURIComponent(new URL(page.url()).hash.replace(/^#\/run\//, ''));
    await page.getByTestId('loss-chart').waitFor();

    // Live: points arrive and keep arriving on the loss chart.
    const first = await until(() => plottedPoints(page), (n) => n > 0, 240_000, 'the first train-loss points');
    await shot('02-run-live.png');
    const later = await until(() => plottedPoints(page), (n) => n > first || n >= steps, 240_000, 'more train-loss points');
    assert.ok(later > first || later >= steps, `points should grow while training (first ${first}, later ${later})`);
    // The facts beside the charts come from the run, not placeholders.
    await until(() => page.getByTestId('fact-params').textContent(), (v) => /\d/.test(v ?? ''), 60_000, 'the parameter count');

    // The run finishes; the table says so.
    await t.open('#/');
    const row = page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
    await row.waitFor({ timeout: 60_000 });
    await until(() => row.getAttribute('data-status'), (st) => st === 'finished' || st === 'failed' || st === 'crashed', 300_000, 'the run to end');
    assert.equal(await row.getAttribute('data-status'), 'finished', `run ended as ${await row.getAttribute('data-status')}:\n${t.log().slice(-2000)}`);
    await shot('03-home-finished.png');

    // History: the run page plots every stored step, and a reload shows the same.
    await t.open(`#/run/${encodeURIComponent(runId)}`);
    const before = await until(() => plottedPoints(page), (n) => n >= steps, 60_000, 'the stored history');
    await page.reload();
    await page.getByTestId('loss-chart').waitFor();
    const after = await until(() => plottedPoints(page), (n) => n >= before, 60_000, 'the same history after a reload');
    assert.equal(after, before, 'a reload shows the same number of train-loss points');
    for (const id of ['grad-chart', 'lr-chart', 'tps-chart']) await page.getByTestId(id).waitFor();
    await shot('04-run-reloaded.png', true);

    // Display options never touch the data: log y and smoothing redraw the same points.
    await page.getByTestId('log-y').check();
    assert.equal(await until(() => plottedPoints(page), (n) => n === before, 10_000, 'the points on a log axis'), before);
    await page.getByTestId('log-y').uncheck();
    const slider = page.getByRole('slider', { name: 'Smoothing' });
    const was = await slider.inputValue();
    for (let i = 0; i < 5; i++) await slider.press('ArrowRight');
    assert.notEqual(await slider.inputValue(), was, 'the smoothing slider moves');
    assert.equal(await plottedPoints(page), before);

    // The legend hides a line and brings it back.
    const valItem = page.getByTestId('loss-chart').getByRole('button', { name: 'val' });
    await valItem.click();
    assert.equal(await valItem.getAttribute('aria-pressed'), 'false');
    await valItem.click();
    assert.equal(await valItem.getAttribute('aria-pressed'), 'true');

    // CSV export holds every stored train-loss step.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const path = await download.path();
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    assert.match(lines[0] ?? '', /train\/loss/);
    assert.ok(lines.length - 1 >= steps, `CSV has a row per step (${lines.length - 1} rows for ${steps} steps)`);
  } catch (e) {
    await shot('failure.png').catch(() => {});
    throw e;
  }
}
