// A short researcher's session without friction: a 100-step run in the editor (run length, warnings, readout), a sweep
// queued once with the names it previewed, a sweep with no linked baseline compared against one of its variants, val
// figures with their steps, a playground grid on an under-trained byte model, and the layout at 1024×700.
// LOUPE_SHOTS=before shoots the same screens on an older checkout (e2e/artifacts/friction-before/) and skips the
// assertions, which only this version can meet; the default is "after" (e2e/artifacts/friction-after/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { revealInEditor, startLoupe, until } from './harness.ts';

const STEPS = 20;

async function editLine(page: Page, line: RegExp, text: string): Promise<void> {
  const editor = page.locator('[data-testid="config-editor"]');
  const target = editor.locator('.view-line').filter({ hasText: line }).first();
  await revealInEditor(page, target);
  await target.waitFor({ timeout: 30_000 });
  await target.click();
  await page.keyboard.press('End');
  await page.keyboard.press('Shift+Home');
  await page.keyboard.type(text);
  await page.keyboard.press('Escape');
}

interface Summary { id: string; name: string; status: string; groupName: string | null }

test('short runs, any baseline, honest numbers, clean samples, a readable layout', async () => {
  const phase = process.env['LOUPE_SHOTS'] ?? 'after';
  const after = phase === 'after';
  // No LOUPE_BASELINE_STEPS: the editor opens on the full recipe (2000 steps, warmup 100), as a user sees it; every run
  // started here gives its own short length.
  const s = await startLoupe({ name: `friction-${phase}` });
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
    // LOUPE_SHOTS_ONLY=editor: just this screen (a quick "before" of the editor).
    if (process.env['LOUPE_SHOTS_ONLY'] === 'editor') return;
    if (after) {
      // Steps alone: the warmup takes the whole run and one eval happens; validation says so without blocking.
      const warnings = page.getByTestId('config-warnings');
      await until(() => warnings.innerText().catch(() => ''), (t) => /warmup is 100 of 100 steps/.test(t) && /only 1 eval after step 0/.test(t), 10_000, 'the short-run warnings');
      // The run-length control instead: steps, warmup, eval and checkpoint cadence together, one change, no warning.
      await page.getByTestId('run-length-steps').fill('100');
      await page.getByTestId('set-run-length').click();
      await until(() => page.getByTestId('changed-count').getAttribute('data-count'), (c) => c === '1', 10_000, 'one change');
      assert.equal(await page.getByTestId('run-name').inputValue(), 'steps100');
      // Validation re-runs after the edit settles: wait for it rather than reading the panel mid-update.
      await until(() => page.getByTestId('config-warnings').count(), (n) => n === 0, 10_000, 'a rescaled short run to need no warning');
      const rows = await page.locator('[data-testid="change-row"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-path')));
      assert.deepEqual([...rows].sort(), ['checkpoint.every', 'eval.every', 'train.steps', 'train.warmup_steps']);
      await shot('item2-editor-run-length.png');
      // The readout: total tokens, FLOPs and a duration from the runs finished here (none yet: said so).
      const readout = await page.getByTestId('readout').innerText();
      for (const label of ['Total tokens', 'Training FLOPs', 'Est. duration']) assert.ok(readout.includes(label), `readout has ${label}: ${readout}`);
      // An LR far above its documented range warns in the editor (and still lets the run start).
      await editLine(page, /^\s*lr:\s*0\.001\s*$/, 'lr: 0.05');
      await until(() => page.getByTestId('config-warnings').innerText().catch(() => ''), (t) => /lr 0\.05 is far above the 3e-4–1e-3 recommended/.test(t), 10_000, 'the LR warning');
      assert.equal(await page.getByTestId('start-run').isEnabled(), true);
      await shot('item8-editor-lr-warning.png');
      await editLine(page, /^\s*lr:\s*0\.05\s*$/, 'lr: 0.001');

      // A sweep queued by a double click is queued once, under the names its preview showed; queued runs can be cancelled.
      await page.getByTestId('sweep-field').selectOption('train.lr');
      await page.getByTestId('sweep-values').fill('1e-3, 2e-3');
      await page.getByTestId('sweep-seeds').fill('1');
      const preview = await until(() => page.getByTestId('sweep-plan').innerText(), (t) => /^2 runs/.test(t), 10_000, 'a 2-run plan');
      assert.match(preview, /for the whole sweep|known once a run has finished/);
      const beforeIds = new Set((await s.call<Summary[]>('runs.list', {})).map((r) => r.id));
      const before = beforeIds.size;
      await page.getByTestId('launch-sweep').dblclick();
      await page.getByTestId('sweep-launched').waitFor({ timeout: 30_000 });
      const created = (await page.getByTestId('sweep-launched-names').innerText()).split(', ');
      assert.equal(created.length, 2);
      for (const name of created) assert.ok(preview.includes(name), `created ${name} was previewed: ${preview}`);
      assert.equal(await page.getByTestId('launch-sweep').isDisabled(), true, 'the button stays disabled once queued');
      assert.equal((await s.call<Summary[]>('runs.list', {})).length, before + 2, 'queued once, not twice');
      await shot('item6-sweep-queued.png');
      await page.goto(`${s.baseUrl}/#/`);
      const queuedRows = page.locator('[data-testid="run-row"][data-status="queued"]');
      await queuedRows.first().waitFor();
      assert.match(await queuedRows.first().getByTestId('run-started').innerText(), /^queued #\d+$/);
      assert.equal(await queuedRows.first().getByTestId('stop-or-cancel').innerText(), 'Cancel');
      await shot('item6-queued-runs.png');
      const newIds = (await s.call<Summary[]>('runs.list', {})).map((r) => r.id).filter((id) => !beforeIds.has(id));
      for (const id of newIds) {
        const row = page.locator(`[data-testid="run-row"][data-run-id="${id}"]`);
        await row.getByTestId('stop-or-cancel').click();
        await until(() => row.getAttribute('data-status'), (st) => st !== 'queued', 30_000, `${id} cancelled`);
      }
    }

    // Item 1: Compare on the unlinked sweep.
    await page.goto(`${s.baseUrl}/#/compare/g:sweep-lr`);
    await page.getByTestId('compare-page').waitFor();
    await new Promise((r) => setTimeout(r, 2000));
    await shot('item1-compare-unlinked-sweep.png');
    if (after) {
      // No linked baseline: the banner says so, and every variant of the sweep is offered as the baseline right away.
      await page.getByTestId('compare-error').waitFor();
      const choices = await page.locator('[data-testid="compare-baseline"] option').evaluateAll((os) => os.map((o) => o.textContent ?? ''));
      assert.deepEqual(choices.filter((c) => c.startsWith('sweep-lr /')), ['sweep-lr / lr1e-3 (2 seeds)', 'sweep-lr / lr3e-3 (2 seeds)']);
      const value = await page.locator('[data-testid="compare-baseline"] option', { hasText: 'sweep-lr / lr1e-3 (2 seeds)' }).getAttribute('value');
      await page.getByTestId('compare-baseline').selectOption(value!);
      await page.getByTestId('compare-table').waitFor({ timeout: 30_000 });
      const labels = await page.locator('[data-testid="compare-row"]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-label'), e.getAttribute('data-verdict')]));
      assert.deepEqual(labels.map((l) => l[0]).sort(), ['sweep-lr/lr1e-3', 'sweep-lr/lr3e-3']);
      assert.equal(labels.find((l) => l[1] === 'baseline')?.[0], 'sweep-lr/lr1e-3');
      await shot('item1-compare-variant-baseline.png');
    }

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
    if (after) {
      const gridText = await grid.innerText();
      assert.ok(!gridText.includes('\uFFFD'), 'no replacement characters in the grid');
      await page.getByTestId('grid-legend').waitFor();
      assert.match(await page.getByTestId('grid-legend').innerText(), /rep4.*d2.*H.*kw.*mem/s);
      // A 20-step byte model matches only short common spans of the corpus: none is called memorised.
      assert.equal(await grid.locator('[data-memorized="1"]').count(), 0);
      assert.equal(await grid.locator('mark.hl-memo').count(), 0);
    }

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
    if (after) assert.match(await page.getByTestId('bars-caption').innerText(), /Whiskers: ± std over seeds \(the baseline's: \d\.\d{4}\)/);
    await page.goto(`${s.baseUrl}/#/`);
    await page.getByTestId('runs-table').waitFor();
    await shot('item7-runs-1024x700.png', false);
    if (after) {
      // At 1024×700 the Alerts column and the row actions stay on screen.
      const alertsHead = await page.locator('.runs-table th', { hasText: 'Alerts' }).boundingBox();
      const actions = await page.locator('.runs-table td.actions').first().boundingBox();
      assert.ok(alertsHead && alertsHead.x + alertsHead.width <= 1024, `Alerts header on screen: ${JSON.stringify(alertsHead)}`);
      assert.ok(actions && actions.x >= 0 && actions.x + actions.width <= 1024, `actions on screen: ${JSON.stringify(actions)}`);
    }
    await page.goto(`${s.baseUrl}/#/run/${encodeURIComponent(base.id)}`);
    await page.getByTestId('loss-chart').waitFor();
    await new Promise((r) => setTimeout(r, 1500));
    await shot('item7-run-page-1024x700.png');
    if (after) {
      // Every val figure says which step it is from; the best is never the value at initialisation.
      await until(() => page.getByTestId('fact-val-step').innerText().catch(() => ''), (t) => /@ step 20$/.test(t), 30_000, 'the val step');
      assert.match(await page.getByTestId('fact-best-val').innerText(), /^best \d+\.\d+ @ step (?!0\b)\d+$/);
    }
    await page.setViewportSize({ width: 1400, height: 900 });
  } catch (e) {
    await shot('failure.png').catch(() => {});
    console.error(s.serverLog().slice(-3000));
    throw e;
  } finally {
    await s.close();
  }
});
