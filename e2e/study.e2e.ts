// The architecture study from the Compare page: launch it small (a tiny budget, a few steps, two seeds), wait for
// the four models to train, and read its table — one row per model with mean ± std and p against the transformer.
// Screenshots land in e2e/artifacts/study/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startLoupe, until } from './harness.ts';

const PARAMS = '60000';
const STEPS = '5';
const SEEDS = '2';

test('The architecture study runs from the Compare page and its table shows each model over seeds', async () => {
  const s = await startLoupe({ name: 'study' });
  const { page, call } = s;
  try {
    await page.goto(`${s.baseUrl}/#/compare/`);
    const panel = page.getByTestId('architecture-study');
    await panel.waitFor({ timeout: 60_000 });
    await page.getByTestId('study-params').fill(PARAMS);
    await page.getByTestId('study-steps').fill(STEPS);
    await page.getByTestId('study-seeds').fill(SEEDS);
    await page.getByTestId('study-run').click();

    const table = page.getByTestId('study-table');
    await table.waitFor({ timeout: 60_000 });
    const finished = (): Promise<string[]> => page.locator('[data-testid="study-row"]').evaluateAll((els) => els.map((el) => el.getAttribute('data-finished') ?? ''));
    await until(finished, (f) => f.length === 4 && f.every((n) => n === SEEDS), 900_000, 'the eight runs of the study to finish');

    const arms = await page.locator('[data-testid="study-row"]').evaluateAll((els) => els.map((el) => el.getAttribute('data-arm')));
    assert.deepEqual(arms, ['transformer', 'mamba', 'hybrid', 'moe']);
    const group = await table.getAttribute('data-group');
    assert.ok(group);
    const data = await call<{ rows: { arm: string; valLoss: { mean: number | null; std: number | null; p: number | null }; loopFraction: { mean: number | null }; params: { total: number; active: number } }[] }>('studies.table', { group });
    for (const row of data.rows) {
      assert.ok(row.valLoss.mean !== null && Number.isFinite(row.valLoss.mean), `${row.arm} has a val loss`);
      assert.ok(row.valLoss.std !== null, `${row.arm} has a std over two seeds`);
      assert.equal(row.valLoss.p === null, row.arm === 'transformer', `${row.arm}: p against the transformer`);
      assert.ok(row.loopFraction.mean !== null, `${row.arm} was sampled on the diagnostic prompts`);
      // Tiny budgets match coarsely (widths step by 8).
      assert.ok(Math.abs(row.params.active - Number(PARAMS)) / Number(PARAMS) < 0.2, `${row.arm} is near the budget (${row.params.active} active)`);
    }
    const moe = data.rows.find((r) => r.arm === 'moe')!;
    assert.ok(moe.params.active < moe.params.total, 'the MoE row reports its active parameters');
    // The rendered cells are the same numbers: the transformer's val loss cell starts with its mean.
    const firstCells = await page.locator('[data-testid="study-row"][data-arm="transformer"] td').allInnerTexts();
    assert.ok(firstCells[2]!.startsWith(data.rows[0]!.valLoss.mean!.toFixed(4)), `rendered val loss ${firstCells[2]}`);

    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(s.artifacts, '01-architecture-study-table.png'), fullPage: true });
  } catch (e) {
    await page.screenshot({ path: join(s.artifacts, 'failure.png') }).catch(() => {});
    throw e;
  } finally {
    await s.close();
  }
});
