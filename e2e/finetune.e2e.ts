// Fine-tuning from the app: after a (short) baseline finishes, "Fine-tune baseline" starts a run from its weights on
// the built-in question–answer set; the run page charts the held-out answers (sft/*) and the runs table shows the
// lineage. Screenshots land in e2e/artifacts/finetune/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startLoupe, until } from './harness.ts';

interface Detail {
  run: { status: string; initFrom?: string | null };
  config: { init_from?: string; data: { corpus: string } };
}

test('Fine-tune baseline starts from the newest finished baseline and charts its answers', async () => {
  const s = await startLoupe({ name: 'finetune' });
  const { page, call } = s;
  try {
    await page.getByTestId('runs-empty').waitFor({ timeout: 60_000 });
    const base = await call<{ id: string }>('runs.startBaseline', { steps: 5 });
    await until(async () => (await call<Detail>('runs.get', { runId: base.id })).run.status, (st) => ['finished', 'failed', 'crashed'].includes(st), 600_000, 'the baseline to end');
    assert.equal((await call<Detail>('runs.get', { runId: base.id })).run.status, 'finished', s.serverLog().slice(-2000));

    await page.getByTestId('finetune-baseline').click();
    await page.waitForURL(/#\/run\//, { timeout: 60_000 });
    const runId = decodeURIComponent(page.url().split('#/run/')[1]!);
    const detail = await call<Detail>('runs.get', { runId });
    assert.equal(detail.config.data.corpus, 'sft-builtin');
    assert.match(detail.config.init_from ?? '', new RegExp(`^${base.id}@5$`));

    // The step-0 eval answers the held-out prompts before any fine-tuning step.
    await until(
      async () => (await call<{ key: string }[]>('runs.metrics', { runId, keys: ['sft/near_identical'] })).some((x) => x.key === 'sft/near_identical'),
      (ok) => ok,
      300_000,
      'the first SFT probe',
    );
    const panel = page.getByTestId('sft-health');
    await panel.waitFor({ timeout: 60_000 });
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(s.artifacts, '01-finetune-run-page.png'), fullPage: true });
    await call('runs.stop', { runId });
    await until(async () => (await call<Detail>('runs.get', { runId })).run.status, (st) => st !== 'running' && st !== 'queued', 120_000, 'the fine-tune to stop');

    await page.goto(`${s.baseUrl}/#/`);
    const lineage = page.getByTestId('lineage').first();
    await lineage.waitFor({ timeout: 30_000 });
    assert.match((await lineage.textContent()) ?? '', new RegExp(`from ${base.id} @ 5`));
    await page.screenshot({ path: join(s.artifacts, '02-runs-table-lineage.png'), fullPage: true });
  } catch (e) {
    await page.screenshot({ path: join(s.artifacts, 'failure.png') }).catch(() => {});
    throw e;
  } finally {
    await s.close();
  }
});
