// Change one thing, sweep it over seeds, see if it mattered: edit the baseline's LR in the Monaco editor → the diff
// counts one changed field → a 2-seed sweep is queued → Compare shows Δ bars with error bars and verdicts.
// Runs are tiny (LOUPE_BASELINE_STEPS) so the five of them train in a couple of minutes. Screenshots: e2e/artifacts/ablation/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { revealInEditor, startLoupe, until } from './harness.ts';

const STEPS = 10;

/**
 * Puts the cursor at the end of the editor line matching `line`, and checks it really is there: Monaco lays its
 * lines out itself, and a panel appearing above the editor can move them between locating and clicking.
 */
async function cursorToLineEnd(page: Page, line: RegExp): Promise<void> {
  const editor = page.locator('[data-testid="config-editor"]');
  const target = editor.locator('.view-line').filter({ hasText: line }).first();
  for (let attempt = 1; ; attempt++) {
    await revealInEditor(page, target);
    await target.waitFor({ timeout: 30_000 });
    await target.click();
    await page.keyboard.press('End');
    const want = await target.boundingBox();
    const cursorLine = await editor.locator('.view-overlays .current-line').first().boundingBox().catch(() => null);
    if (want && cursorLine && Math.abs(want.y - cursorLine.y) < 2) return;
    if (attempt >= 5) throw new Error(`could not put the cursor on the editor line matching ${line}`);
    await page.keyboard.press('Escape');
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Replaces the text of the editor line matching `line` (select to its first character, type). */
async function editLine(page: Page, line: RegExp, text: string): Promise<void> {
  await cursorToLineEnd(page, line);
  await page.keyboard.press('Shift+Home');
  await page.keyboard.type(text);
  await page.keyboard.press('Escape');
}

async function rows(page: Page): Promise<{ label: string; verdict: string; delta: string; std: string }[]> {
  return page.locator('[data-testid="compare-row"]').evaluateAll((els) =>
    els.map((el) => ({
      label: el.getAttribute('data-label') ?? '',
      verdict: el.getAttribute('data-verdict') ?? '',
      delta: el.getAttribute('data-delta') ?? '',
      std: el.getAttribute('data-std') ?? '',
    })),
  );
}

test('edit the LR, see a one-variable diff, sweep it over 2 seeds, and compare against the baseline', async () => {
  const s = await startLoupe({ name: 'ablation', env: { LOUPE_BASELINE_STEPS: String(STEPS) } });
  const { page } = s;
  try {
    // A baseline to start from.
    await page.getByTestId('run-baseline').click();
    await page.waitForURL(/#\/run\/[^/]+$/, { timeout: 60_000 });
    const baselineId = decodeURIComponent(new URL(page.url()).hash.replace(/^#\/run\//, ''));

    // New run from this baseline: the editor opens on its resolved config.
    await page.getByRole('button', { name: /New run from this/ }).click();
    await page.waitForURL(/#\/editor\/[^/]+$/, { timeout: 30_000 });
    await page.locator('[data-testid="config-editor"][data-ready="1"]').waitFor({ timeout: 60_000 });
    await until(() => page.getByTestId('changed-count').getAttribute('data-count'), (c) => c === '0', 10_000, 'an unchanged config');
    await page.screenshot({ path: join(s.artifacts, '01-editor-baseline.png') });

    // The schema is live: hovering a field shows its docs with the recipe guidance.
    const lrKey = page.locator('[data-testid="config-editor"] .view-line').filter({ hasText: /^\s*lr:\s*0\.001\s*$/ }).locator('span span').filter({ hasText: /^lr$/ });
    await revealInEditor(page, lrKey.first());
    await lrKey.first().hover();
    await page.locator('.monaco-hover').filter({ hasText: /Peak learning rate/ }).first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await page.locator('.monaco-hover').filter({ hasText: /Peak learning rate/ }).first().innerText(), /square root/);
    await page.screenshot({ path: join(s.artifacts, '01b-editor-hover-docs.png') });
    await page.mouse.move(5, 5);

    // ...and completes values from it: clearing the optimizer offers the schema's choices.
    await cursorToLineEnd(page, /^\s*optimizer:\s*adamw\s*$/);
    for (let i = 0; i < 'adamw'.length; i++) await page.keyboard.press('Backspace');
    await page.keyboard.type('a');
    await page.locator('.suggest-widget').filter({ hasText: /adamw/ }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.screenshot({ path: join(s.artifacts, '01c-editor-completion.png') });
    await page.keyboard.press('Escape');
    await page.keyboard.type('damw');
    await page.keyboard.press('Escape');
    await until(() => page.getByTestId('changed-count').getAttribute('data-count').catch(() => null), (c) => c === '0', 10_000, 'the optimizer back to adamw');

    // A bad value is an inline error naming its field.
    await editLine(page, /^\s*lr:\s*0\.001\s*$/, 'lr: -1');
    await until(() => page.getByTestId('config-issues').innerText().catch(() => ''), (t) => /train\.lr: /.test(t), 10_000, 'the issue on train.lr');
    await page.locator('[data-testid="config-editor"] .squiggly-error').first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(s.artifacts, '01d-editor-invalid.png') });

    // Change one thing: the peak LR.
    await editLine(page, /^\s*lr:\s*-1\s*$/, 'lr: 0.002');
    await until(() => page.getByTestId('changed-count').getAttribute('data-count'), (c) => c === '1', 10_000, 'one changed field');
    const change = page.locator('[data-testid="change-row"][data-path="train.lr"]');
    await change.waitFor();
    assert.match((await change.innerText()).replace(/\s+/g, ' '), /train\.lr 1e-3 → 2e-3/);
    assert.equal(await page.getByTestId('one-variable-warning').count(), 0, 'a one-field change carries no warning');
    assert.equal(await page.getByTestId('run-name').inputValue(), 'lr2e-3', 'the suggested name comes from the diff');
    // The diff editor shows the change against the baseline.
    await until(() => page.locator('[data-testid="config-diff"] .line-insert, [data-testid="config-diff"] .char-insert').count(), (n) => n > 0, 10_000, 'the diff editor to mark the change');
    await page.getByTestId('hypothesis').fill('A higher peak LR trains faster in very short runs.');
    await page.screenshot({ path: join(s.artifacts, '02-editor-lr-changed.png'), fullPage: true });

    // A second change brings the one-variable warning; undoing it takes the warning away.
    const warmupLine = page.locator('[data-testid="config-editor"] .view-line').filter({ hasText: /^\s*warmup_steps:\s*\d+\s*$/ });
    await revealInEditor(page, warmupLine.first());
    const warmup = (await warmupLine.first().innerText()).replace(/\s+/g, ' ').trim();
    await editLine(page, /^\s*warmup_steps:\s*\d+\s*$/, warmup === 'warmup_steps: 1' ? 'warmup_steps: 2' : 'warmup_steps: 1');
    await until(() => page.getByTestId('changed-count').getAttribute('data-count'), (c) => c === '2', 10_000, 'two changed fields');
    assert.match(await page.getByTestId('one-variable-warning').innerText(), /Change one thing at a time/);
    await page.screenshot({ path: join(s.artifacts, '03-editor-two-changes.png') });
    await editLine(page, /^\s*warmup_steps:\s*\d+\s*$/, warmup);
    await until(() => page.getByTestId('changed-count').getAttribute('data-count'), (c) => c === '1', 10_000, 'back to one changed field');

    // Sweep the changed field over its old and new value, 2 seeds each.
    assert.equal(await page.getByTestId('sweep-field').inputValue(), 'train.lr');
    assert.equal(await page.getByTestId('sweep-values').inputValue(), '1e-3, 2e-3');
    await page.getByTestId('sweep-seeds').fill('2');
    await until(() => page.getByTestId('sweep-plan').innerText(), (t) => /^4 runs/.test(t), 10_000, 'a 4-run plan');
    await page.getByTestId('launch-sweep').click();
    await page.getByTestId('sweep-launched').waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(s.artifacts, '04-sweep-launched.png'), fullPage: true });

    // Compare the sweep; the sweep's own lr=1e-3 runs (named for their change from the edited config) are the baseline with 2 seeds, so there is a noise band and p-values.
    await page.getByTestId('compare-sweep').click();
    await page.waitForURL(/#\/compare\/g(:|%3A)sweep-lr/i, { timeout: 30_000 });
    await page.getByTestId('compare-table').waitFor({ timeout: 60_000 });
    const baseSeedRun = await until(
      () => page.locator('[data-testid="compare-baseline"] option').evaluateAll((os) => os.map((o) => [o.getAttribute('value') ?? '', o.textContent ?? ''])),
      (os) => os.some(([, label]) => /^sweep-lr \/ lr1e-3 \(2 seeds\)$/.test(label)),
      30_000,
      'the sweep runs in the baseline picker',
    );
    const choice = baseSeedRun.find(([, label]) => /^sweep-lr \/ lr1e-3 \(2 seeds\)$/.test(label))![0];
    await page.getByTestId('compare-baseline').selectOption(choice);
    // The original one-seed baseline run joins the comparison as a row of its own.
    await page.locator(`[data-testid="pick-run"][data-run-id="${baselineId}"]`).check();

    const done = await until(
      async () => {
        const failed = await page.getByTestId('compare-status').getAttribute('data-failed').catch(() => null);
        if (failed && failed !== '0') throw new Error(`${failed} compared run(s) failed: ${await page.getByTestId('compare-status').innerText()}`);
        return rows(page);
      },
      (rs) => rs.length === 3 && rs.every((r) => r.delta !== '') && rs.some((r) => r.verdict === 'significant' || r.verdict === 'within noise'),
      600_000,
      'every sweep run to finish and the verdicts to appear',
    );
    const swept = done.find((r) => r.label === 'sweep-lr/lr2e-3');
    assert.ok(swept, `a row for the swept value (rows: ${done.map((r) => r.label).join(', ')})`);
    assert.ok(Number.isFinite(Number(swept.delta)) && swept.std !== '', 'the swept row has a Δ and a std over its 2 seeds');
    assert.ok(['significant', 'within noise'].includes(swept.verdict), `the swept row has a Welch verdict (${swept.verdict})`);
    assert.equal(done.find((r) => r.verdict === 'baseline')?.label, 'sweep-lr/lr1e-3');
    // The original baseline run (one seed) is a row of its own, with no p-value.
    assert.ok(done.some((r) => r.verdict === 'needs seeds'), 'the single original baseline run needs seeds');

    const bars = page.getByTestId('compare-bars');
    assert.ok(Number(await bars.getAttribute('data-bars')) >= 6, 'final and best bars for every row');
    assert.equal(await bars.getAttribute('data-error-bars'), '4', 'error bars for the two 2-seed rows, final and best');
    assert.equal(await bars.getAttribute('data-band'), '1', 'the baseline noise band is drawn');
    assert.ok(Number(await page.getByTestId('compare-curves').getAttribute('data-lines')) >= 5, 'a val-loss curve per run');
    const deltaText = await page.locator(`[data-testid="compare-row"][data-label="sweep-lr/lr2e-3"] [data-testid="delta-final"]`).innerText();
    assert.match(deltaText, /^[+−±]\d+\.\d{4}$/);
    await page.screenshot({ path: join(s.artifacts, '05-compare.png'), fullPage: true });
  } catch (e) {
    await page.screenshot({ path: join(s.artifacts, 'failure.png'), fullPage: true }).catch(() => {});
    console.error(s.serverLog().slice(-3000));
    throw e;
  } finally {
    await s.close();
  }
});
