// Screenshots of a short researcher's session: a sweep with no linked baseline in Compare, a 100-step run in the
// editor, a playground grid on an under-trained byte model, and the runs table and bar chart at 1024×700.
// LOUPE_SHOTS names the artifact folder (e2e/artifacts/friction-<LOUPE_SHOTS>/), so the same spec can shoot a
// "before" on an older checkout; it only drives what every version has, and asserts nothing about the fixes.
import { test } from 'node:test';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startLoupe, until } from './harness.ts';

const STEPS = 20;

async function editLine(page: Page, line: RegExp, text: string): Promise<void> {
  const editor = page.locator('[data-testid="config-editor"]');
  const target = editor.locator('.view-line').filter({ hasText: line }).first();
  await target.waitFor({ timeout: 30_000 });
  await target.click();
  await page.keyboard.press('End');
  await page.keyboard.press('Shift+Home');
  await page.keyboard.type(text);
  await page.keyboard.press('Escape');
}

interface Summary { id: string; name: string; status: string; groupName: string | null }

test('friction screenshots', async () => {
  const phase = process.env['LOUPE_SHOTS'] ?? 'after';
  const s = await startLoupe({ name: `friction-${phase}`, env: { LOUPE_BASELINE_STEPS: String(STEPS) } });
  const { page } = s;
  const shot = (name: string, fullPage = true): Promise<Buffer> => page.screenshot({ path: join(s.artifacts, name), fullPage });
  try {
    const recipe = await s.call<{ config: Record<string, unknown> }>('ablation.baseConfig', {});
    // A baseline run with a sweep linked to it; then a sweep from the default recipe, linked to nothing (never waited for).
    const base = await s.call<Summary>('runs.startBaseline', { steps: STEPS });
    const linked = await s.call<{ runs: Summary[] }>('ablation.sweep', { baselineId: base.id, vary: { field: 'train.lr', values: [1e-3, 3e-3] }, seeds: 2, steps: STEPS, group: 'sweep-lr-linked' });
    await s.call('ablation.sweep', { config: recipe.config, vary: { field: 'train.lr', values: [1e-3, 3e-3] }, seeds: 2, steps: STEPS, group: 'sweep-lr' });

    // Item 2: a 100-step run in the editor.
    await page.goto(`${s.baseUrl}/#/editor`);
    await page.locator('[data-testid="config-editor"][data-ready="1"]').waitFor({ timeout: 60_000 });
    await editLine(page, /^\s*steps:\s*\d+\s*$/, 'steps: 100');
    await until(() => page.getByTestId('changed-count').getAttribute('data-count'), (c) => c !== '0', 10_000, 'the steps change');
    await new Promise((r) => setTimeout(r, 500));
    await shot('item2-editor-100-steps.png');

    // Item 1: Compare on the unlinked sweep.
    await page.goto(`${s.baseUrl}/#/compare/g:sweep-lr`);
    await page.getByTestId('compare-page').waitFor();
    await new Promise((r) => setTimeout(r, 2000));
    await shot('item1-compare-unlinked-sweep.png');

    const ids = new Set([base.id, ...linked.runs.map((r) => r.id)]);
    const ended = (st: string): boolean => st === 'finished' || st === 'failed' || st === 'crashed' || st === 'stopped';
    await until(() => s.call<Summary[]>('runs.list', {}), (rs) => rs.filter((r) => ids.has(r.id)).every((r) => ended(r.status)), 2_400_000, 'the linked runs to finish');

    // Item 5: a grid of two prompts on the 20-step baseline (an under-trained byte model).
    await page.goto(`${s.baseUrl}/#/playground/${encodeURIComponent(base.id)}`);
    await page.getByTestId('playground-page').waitFor();
    await until(() => page.getByTestId('checkpoint-picker-step').locator('option').count(), (n) => n >= 1, 30_000, 'checkpoints');
    await page.getByTestId('tab-grid').click();
    await page.getByTestId('setting-maxTokens').fill('48');
    await page.getByTestId('prompt-set-select').selectOption('');
    await page.getByTestId('grid-prompts').fill('The whale\nIt was the best of times\nCall me Ishmael');
    await page.getByTestId('run-grid').click();
    const grid = page.getByTestId('grid-table');
    await grid.waitFor({ timeout: 60_000 });
    await until(() => grid.getAttribute('data-status'), (st) => st !== 'running', 300_000, 'the grid to finish');
    await shot('item5-grid.png');

    await page.goto(`${s.baseUrl}/#/compare/g:sweep-lr`);
    await new Promise((r) => setTimeout(r, 2000));
    await shot('item1-compare-unlinked-sweep-later.png');

    // Item 7: the linked sweep with a 2-seed variant as the baseline, at 1024×700.
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.goto(`${s.baseUrl}/#/compare/g:sweep-lr-linked`);
    await page.getByTestId('compare-table').waitFor({ timeout: 30_000 });
    const options = await until(
      () => page.locator('[data-testid="compare-baseline"] option').evaluateAll((os) => os.map((o) => [o.getAttribute('value') ?? '', o.textContent ?? ''])),
      (os) => os.some(([, label]) => /lr1e-3/.test(label)),
      30_000,
      'a variant in the baseline picker',
    );
    await page.getByTestId('compare-baseline').selectOption(options.find(([, label]) => /lr1e-3/.test(label))![0]);
    await new Promise((r) => setTimeout(r, 2000));
    await page.getByTestId('compare-bars').screenshot({ path: join(s.artifacts, 'item7-compare-bars.png') });
    await page.goto(`${s.baseUrl}/#/`);
    await page.getByTestId('runs-table').waitFor();
    await shot('item7-runs-1024x700.png', false);
    await page.goto(`${s.baseUrl}/#/run/${encodeURIComponent(base.id)}`);
    await page.getByTestId('loss-chart').waitFor();
    await new Promise((r) => setTimeout(r, 1500));
    await shot('item7-run-page-1024x700.png');
    await page.setViewportSize({ width: 1400, height: 900 });
  } catch (e) {
    await shot('failure.png').catch(() => {});
    console.error(s.serverLog().slice(-3000));
    throw e;
  } finally {
    await s.close();
  }
});
