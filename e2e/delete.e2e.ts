// Permanent deletion in the runs table (browser mode): only archived runs offer it, the button stays disabled until
// the run's name is typed, then the row disappears and the run's folder is gone. Screenshots in e2e/artifacts/delete/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../src/shared/config.ts';
import { Store } from '../src/main/store/store.ts';
import { startLoupe } from './harness.ts';

function seed(home: string): { archived: string; active: string } {
  const store = Store.open(join(home, 'loupe.db'));
  const make = (name: string): string => {
    const r = resolveConfig({ name, train: { steps: 10, warmup_steps: 0 } });
    if (!r.ok) throw new Error('bad config');
    const run = store.runs.create({ name, config: r.config, status: 'finished' });
    store.metrics.insert(run.id, 1, 0, [{ step: 1, key: 'train/loss', value: 3 }]);
    const dir = join(home, 'runs', run.id, 'checkpoints', 'step-1');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'weights.bin'), 'w');
    store.runs.setStatus(run.id, 'finished');
    return run.id;
  };
  const archived = make('old experiment');
  const active = make('keep me');
  store.runs.patch(archived, { archived: true });
  store.close();
  return { archived, active };
}

test('an archived run is deleted permanently after typing its name; the row disappears', async () => {
  const home = mkdtempSync(join(tmpdir(), 'loupe-e2e-delete-'));
  const { archived, active } = seed(home);
  const s = await startLoupe({ name: 'delete', env: { LOUPE_HOME: home } });
  const { page } = s;
  try {
    const row = (id: string): ReturnType<typeof page.locator> => page.locator(`[data-testid="run-row"][data-run-id="${id}"]`);
    await row(active).waitFor();
    assert.equal(await row(archived).count(), 0, 'archived runs are hidden by default');
    assert.equal(await row(active).locator('[data-testid="delete-run"]').count(), 0, 'an unarchived run offers no permanent delete');

    await page.getByTestId('show-archived').check();
    await row(archived).waitFor();
    await row(archived).locator('[data-testid="delete-run"]').click();
    const confirm = page.getByTestId('confirm-delete');
    assert.equal(await confirm.isDisabled(), true, 'disabled until the name is typed');
    await page.getByTestId('delete-confirm-name').fill('old exp');
    assert.equal(await confirm.isDisabled(), true);
    await page.getByTestId('delete-confirm-name').fill('old experiment');
    await page.screenshot({ path: join(s.artifacts, 'confirm.png') });
    await confirm.click();

    await row(archived).waitFor({ state: 'detached' });
    await page.screenshot({ path: join(s.artifacts, 'after.png') });
    assert.equal(await row(active).count(), 1);
    assert.equal(existsSync(join(home, 'runs', archived)), false);
    assert.equal(existsSync(join(home, 'runs', active)), true);
  } finally {
    await s.close();
  }
});
