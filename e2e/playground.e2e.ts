// Playground on a freshly trained baseline checkpoint: sample a prompt and watch the text stream in, get its
// metrics and entropy strip; run a small prompts × checkpoints grid; find the samples stored. Screenshots land
// in e2e/artifacts/playground/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startLoupe, until } from './harness.ts';

const STEPS = 30;

test('Playground samples a baseline checkpoint with streamed text and metrics, cancels, runs a grid, and stores samples', async () => {
  const s = await startLoupe({ name: 'playground', env: { LOUPE_BASELINE_STEPS: String(STEPS) } });
  const { page } = s;
  try {
    // Train a short baseline and wait for it to finish (its last step always writes a checkpoint).
    await page.getByTestId('runs-empty').waitFor({ timeout: 60_000 });
    await page.getByTestId('run-baseline').click();
    await page.waitForURL(/#\/run\/[^/]+$/, { timeout: 60_000 });
    const runId = decodeURIComponent(new URL(page.url()).hash.replace(/^#\/run\//, ''));
    await page.goto(`${s.baseUrl}/#/`);
    const row = page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
    await row.waitFor({ timeout: 60_000 });
    await until(() => row.getAttribute('data-status'), (st) => st === 'finished' || st === 'failed' || st === 'crashed', 400_000, 'the baseline to end');
    assert.equal(await row.getAttribute('data-status'), 'finished', `baseline ended badly: ${await row.textContent()}\n${s.serverLog().slice(-2000)}`);

    // The playground opens on that run; its checkpoint is offered.
    await page.goto(`${s.baseUrl}/#/playground/${encodeURIComponent(runId)}`);
    await page.getByTestId('playground-page').waitFor();
    const runSelect = page.getByTestId('checkpoint-picker-run');
    await until(() => runSelect.inputValue(), (v) => v === runId, 30_000, 'the run to be picked');
    const stepSelect = page.getByTestId('checkpoint-picker-step');
    await until(() => stepSelect.locator('option').count(), (n) => n >= 2, 30_000, 'the run’s checkpoints');
    const steps = await stepSelect.locator('option').allTextContents();
    assert.ok(steps.some((t) => t.includes(`step ${STEPS}`)), `the final checkpoint is listed: ${steps.join(' | ')}`);

    // Sample greedily; watch the text grow token by token before the stored sample arrives.
    await page.getByTestId('setting-maxTokens').fill('48');
    await page.getByTestId('setting-temperature').fill('0');
    await page.getByTestId('prompt-input').fill('Call me Ishmael. Some years ago');
    // Runs in the page (a string: the e2e tsconfig has no DOM types): records the text length at every change while streaming.
    await page.evaluate(`(() => {
      const seen = [];
      window.__lengths = seen;
      new MutationObserver(() => {
        const el = document.querySelector('[data-testid="sample-text"]');
        const out = document.querySelector('[data-testid="sample-output"]');
        if (el && out && out.getAttribute('data-streaming') === 'true') seen.push((el.textContent || '').length);
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    })()`);
    await page.getByTestId('generate').click();
    const result = page.getByTestId('sample-result');
    await result.waitFor({ timeout: 60_000 });
    const phase = await until(() => result.getAttribute('data-phase'), (p) => p === 'done' || p === 'error', 300_000, 'the sample to finish');
    assert.equal(phase, 'done', `sample failed: ${await result.textContent()}\n${s.serverLog().slice(-2000)}`);
    const lengths = (await page.evaluate('window.__lengths')) as number[];
    const distinctPartial = new Set(lengths.filter((n) => n > 0));
    assert.ok(distinctPartial.size >= 2, `text should stream in pieces before the sample is done (saw lengths ${[...distinctPartial].join(', ')})`);

    const text = (await page.getByTestId('sample-text').textContent()) ?? '';
    assert.ok(text.length > 0, 'the continuation is shown');
    const tokens = Number(await page.getByTestId('entropy-strip').getAttribute('data-tokens'));
    assert.ok(tokens > 0 && tokens <= 48, `the entropy strip covers the generated tokens (${tokens})`);
    const metrics = page.getByTestId('sample-metrics');
    for (const key of ['seq-rep-1', 'seq-rep-4', 'distinct-1', 'distinct-2', 'entropy', 'loop', 'memorized']) {
      const value = (await metrics.locator(`[data-metric="${key}"] dd`).textContent()) ?? '';
      assert.ok((value.length > 0 && value !== '—') || key === 'memorized', `metric ${key} has a value (got "${value}")`);
    }
    assert.match((await metrics.locator('[data-metric="seq-rep-4"] dd').textContent()) ?? '', /^\d+(\.\d)?%$/);
    assert.match((await metrics.locator('[data-metric="entropy"] dd').textContent()) ?? '', /nats$/);
    await page.screenshot({ path: join(s.artifacts, '01-sample.png'), fullPage: true });

    // A loop, when the detector finds one, is highlighted in the text.
    const loopNote = page.getByTestId('loop-note');
    if (await loopNote.count()) assert.ok((await page.locator('[data-testid="sample-text"] mark.hl-loop').count()) > 0, 'a detected loop is highlighted');

    // Cancel: a long sample stops when asked and is kept as "cancelled".
    await page.getByTestId('setting-maxTokens').fill('600');
    await page.getByTestId('setting-temperature').fill('0.8');
    await page.getByTestId('generate').click();
    const output = page.getByTestId('sample-output');
    await until(async () => Number(await output.getAttribute('data-tokens')), (n) => n >= 3, 120_000, 'the long sample to stream');
    await page.getByTestId('cancel-sample').click();
    await until(() => result.getAttribute('data-phase'), (p) => p === 'done' || p === 'error', 120_000, 'the cancelled sample to settle');
    assert.match((await result.textContent()) ?? '', /cancelled/, 'the sample reports it was cancelled');
    const kept = Number(await output.getAttribute('data-tokens'));
    assert.ok(kept < 600, `cancelling stopped generation early (${kept} tokens)`);
    await page.getByTestId('toggle-theme').click();
    await page.screenshot({ path: join(s.artifacts, '01b-cancelled-other-theme.png'), fullPage: true });

    // Grid: two typed prompts × the checkpoint; every cell gets text and metrics, the column a summary.
    await page.getByTestId('tab-grid').click();
    await page.getByTestId('setting-maxTokens').fill('24');
    await page.getByTestId('prompt-set-select').selectOption('');
    await page.getByTestId('grid-prompts').fill('The whale => whale|sea\nIt was the best of times');
    await page.getByTestId('run-grid').click();
    const grid = page.getByTestId('grid-table');
    await grid.waitFor({ timeout: 60_000 });
    await until(() => grid.getAttribute('data-status'), (st) => st !== 'running', 300_000, 'the grid to finish');
    assert.equal(await grid.getAttribute('data-status'), 'done');
    assert.equal(await page.getByTestId('grid-cell').count(), 2, 'both cells have a sample');
    const summary = page.getByTestId('grid-summary').first();
    assert.match((await summary.locator('[data-metric="sameness"] dd').textContent()) ?? '', /%/);
    await page.screenshot({ path: join(s.artifacts, '02-grid.png'), fullPage: true });

    // Everything sampled is stored and browsable.
    await page.getByTestId('tab-browse').click();
    const stored = page.getByTestId('stored-sample');
    await until(() => stored.count(), (n) => n >= 1, 30_000, 'stored samples');
    await stored.first().click();
    await page.getByTestId('sample-browser').getByTestId('sample-output').waitFor();
    await page.screenshot({ path: join(s.artifacts, '03-browse.png'), fullPage: true });
  } catch (e) {
    await page.screenshot({ path: join(s.artifacts, 'failure.png'), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await s.close();
  }
});
