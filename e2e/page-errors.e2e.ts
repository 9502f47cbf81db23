// The harness fails a spec on any page or console error, and the app's pages log none: first load (favicon
// included), the config editor left and re-opened (Monaco's models disposed after its widgets), Compare, Playground.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLoupe } from './harness.ts';

test('a page error or console error fails the session', async () => {
  const s = await startLoupe({ name: 'page-errors-harness' });
  await s.page.evaluate('console.error("provoked console error"); setTimeout(() => { throw new Error("provoked page error"); }, 0)');
  await new Promise((r) => setTimeout(r, 500));
  await assert.rejects(s.close(), (e: Error) => {
    assert.match(e.message, /the page logged 2 error\(s\)/);
    assert.match(e.message, /console error on .*provoked console error/);
    assert.match(e.message, /page error on .*provoked page error/);
    return true;
  });
});

test('first load, the editor (left and re-opened), Compare and Playground log no errors', async () => {
  const s = await startLoupe({ name: 'page-errors' });
  const { page } = s;
  try {
    await page.getByTestId('runs-empty').waitFor({ timeout: 60_000 });
    const favicon = await page.request.get(`${s.baseUrl}/favicon.svg`);
    assert.equal(favicon.status(), 200, 'the favicon is served');
    for (let i = 0; i < 2; i++) {
      await page.goto(`${s.baseUrl}/#/editor`);
      await page.locator('[data-testid="config-editor"][data-ready="1"]').waitFor({ timeout: 60_000 });
      await page.goto(`${s.baseUrl}/#/`);
      await page.getByTestId('runs-empty').waitFor({ timeout: 30_000 });
    }
    await page.goto(`${s.baseUrl}/#/editor`);
    await page.locator('[data-testid="config-editor"][data-ready="1"]').waitFor({ timeout: 60_000 });
    await page.goto(`${s.baseUrl}/#/compare`);
    await page.getByTestId('compare-empty').waitFor({ timeout: 30_000 });
    await page.goto(`${s.baseUrl}/#/playground`);
    await page.getByTestId('playground-page').waitFor({ timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(s.pageProblems(), []);
  } finally {
    await s.close();
  }
});
