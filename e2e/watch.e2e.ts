// "Watch a run…" in browser mode: a run file that a job keeps appending to (as loupe_logger.py does) is followed
// live: the run page's loss chart grows as lines arrive, and the `end` line finishes the run, marked external.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLoupe, until } from './harness.ts';

const line = (o: unknown): string => `${JSON.stringify(o)}\n`;
const losses = (from: number, to: number): string => {
  let s = '';
  for (let step = from; step <= to; step++) s += line({ type: 'metric', step, key: 'train/loss', value: 5 * Math.exp(-step / 40) + 1, time: step });
  return s;
};

test('Watch a run follows a growing run file: the chart updates live, and the end line finishes the run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-watch-e2e-'));
  const file = join(dir, 'torch-job.jsonl');
  writeFileSync(file, line({ type: 'run', name: 'torch-job', config: { max_steps: 60 }, started_at: 1 }) + losses(1, 10));
  const s = await startLoupe({ name: 'watch' });
  const { page } = s;
  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: join(s.artifacts, name) });
  const points = async (): Promise<number> => Number((await page.getByTestId('loss-chart').getAttribute('data-points')) ?? 0);
  try {
    await page.getByTestId('watch-run').click();
    await page.getByTestId('watch-path').fill(file);
    await page.getByTestId('watch-submit').click();
    await page.waitForURL(/#\/run\/[^/]+$/, { timeout: 60_000 });
    const runId = decodeURIComponent(new URL(page.url()).hash.replace(/^#\/run\//, ''));
    await page.getByTestId('loss-chart').waitFor();
    const first = await until(points, (n) => n >= 10, 60_000, 'the first ten points');
    await shot('01-watching.png');

    // The job keeps writing: the open chart grows without a reload.
    appendFileSync(file, losses(11, 30));
    const later = await until(points, (n) => n >= 30, 60_000, 'the appended points on the open chart');
    assert.ok(later > first, `the chart grows (first ${first}, later ${later})`);
    appendFileSync(file, losses(31, 60) + line({ type: 'end', status: 'finished' }));
    await until(points, (n) => n >= 60, 60_000, 'all sixty points');
    await shot('02-grown.png');

    await page.goto(`${s.baseUrl}/#/`);
    const row = page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
    await row.waitFor({ timeout: 60_000 });
    await until(() => row.getAttribute('data-status'), (st) => st === 'finished', 60_000, 'the end line to finish the run');
    await row.getByTestId('external-tag').waitFor();
    await shot('03-table.png');
  } catch (e) {
    await shot('failure.png').catch(() => {});
    throw e;
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
