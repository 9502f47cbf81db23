// Another page on 127.0.0.1 (a different port is the same *site*, so the session cookie goes along) tries to
// drive Loupe with what a browser lets any page send: text/plain fetches and plain HTML forms. Nothing changes;
// the Loupe page itself keeps working. Screenshots in e2e/artifacts/cross-origin/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { resolveConfig } from '../src/shared/config.ts';
import { Store } from '../src/main/store/store.ts';
import type { RunDetail } from '../src/shared/api/runs.ts';
import { startLoupe, until } from './harness.ts';

function seedRun(home: string): string {
  const store = Store.open(join(home, 'loupe.db'));
  const r = resolveConfig({ name: 'precious', train: { steps: 10, warmup_steps: 0 } });
  if (!r.ok) throw new Error('bad config');
  const run = store.runs.create({ name: 'precious', config: r.config, status: 'finished' });
  store.runs.setStatus(run.id, 'finished');
  store.close();
  return run.id;
}

/** The attacker's pages: each tries one way in and reports what the browser let it see. */
function attackerPages(loupe: string, runId: string): Record<string, string> {
  const api = (name: string): string => `${loupe}/api/call/${name}`;
  const notes = JSON.stringify({ runId, notes: 'pwned' });
  const archive = JSON.stringify({ runId, archived: true });
  // enctype=text/plain sends "name=value": a name ending in '"x":"' and the value '"}' make the body valid JSON.
  const formName = `{"runId":"${runId}","notes":"pwned by form","x":"`;
  const attr = (v: string): string => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  return {
    '/fetch': `<!doctype html><title>fetch</title><script>
      const results = [];
      const tries = [
        ['text/plain notes', ${JSON.stringify(api('runs.update'))}, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'text/plain' }, body: ${JSON.stringify(notes)} }],
        ['text/plain archive', ${JSON.stringify(api('runs.archive'))}, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'text/plain' }, body: ${JSON.stringify(archive)} }],
        ['json archive (preflighted)', ${JSON.stringify(api('runs.archive'))}, { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' }, body: ${JSON.stringify(archive)} }],
      ];
      (async () => {
        for (const [what, url, init] of tries) {
          try { const r = await fetch(url, init); results.push(what + ': ' + r.type + ' ' + r.status); }
          catch (e) { results.push(what + ': blocked (' + e.message + ')'); }
        }
        document.title = 'done';
        document.body.textContent = results.join('\\n');
      })();
    </script>`,
    '/form-text': `<!doctype html><form method="POST" enctype="text/plain" action="${attr(api('runs.update'))}"><input name="${attr(formName)}" value='"}'></form><script>document.forms[0].submit()</script>`,
    '/form-urlencoded': `<!doctype html><form method="POST" action="${attr(api('runs.archive'))}"><input name="runId" value="${attr(runId)}"><input name="archived" value="true"></form><script>document.forms[0].submit()</script>`,
    '/form-get': `<!doctype html><form method="GET" action="${attr(api('runs.archive'))}"><input name="runId" value="${attr(runId)}"><input name="archived" value="true"></form><script>document.forms[0].submit()</script>`,
  };
}

async function serve(pages: () => Record<string, string>): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const body = pages()[req.url ?? ''];
    res.writeHead(body ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(body ?? 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test('a page on another local port cannot change or archive a run; the Loupe page still can', async () => {
  const home = mkdtempSync(join(tmpdir(), 'loupe-e2e-cross-origin-'));
  const runId = seedRun(home);
  const s = await startLoupe({ name: 'cross-origin', env: { LOUPE_HOME: home } });
  let pages: Record<string, string> = {};
  const attacker = await serve(() => pages);
  try {
    pages = attackerPages(s.baseUrl, runId);
    // The attacker's pages log the refusals they provoke; the Loupe page's own errors still fail the spec.
    s.allowPageErrors(new RegExp(`on ${attacker.origin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    // The attacker's form posts navigate its tab to Loupe's API URL, where the refusal (403/405) and the browser's
    // favicon request for that page are logged as errors of an /api/call/ page.
    s.allowPageErrors(/on http:\/\/127\.0\.0\.1:\d+\/api\/call\//);
    assert.notEqual(attacker.origin, s.baseUrl);
    // Same browser, same profile: the attacker's tab has the Loupe session cookie available to its requests.
    const evil = await s.page.context().newPage();
    const statuses: string[] = [];
    evil.on('response', (r) => {
      if (r.url().startsWith(`${s.baseUrl}/api/call/`)) statuses.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`);
    });

    await evil.goto(`${attacker.origin}/fetch`);
    await evil.waitForFunction('document.title === "done"');
    const report = (await evil.textContent('body')) ?? '';
    assert.match(report, /json archive \(preflighted\): blocked/);

    for (const form of ['/form-text', '/form-urlencoded', '/form-get']) {
      const landed = evil.waitForResponse((r) => r.url().startsWith(`${s.baseUrl}/api/call/`));
      await evil.goto(`${attacker.origin}${form}`);
      const r = await landed;
      assert.ok(r.status() >= 400, `${form} reached Loupe and got ${r.status()}`);
    }
    await evil.screenshot({ path: join(s.artifacts, 'attacker-after-form.png') });

    // Every request that reached Loupe was refused: 403 (foreign origin) for POSTs, 405 for GET.
    assert.ok(statuses.length >= 4, `requests seen: ${statuses.join(', ')}`);
    for (const st of statuses) assert.match(st, /^(POST .* 403|GET .* 405)$/, st);
    const after = await s.call<RunDetail>('runs.get', { runId });
    assert.equal(after.run.notes, null, 'notes unchanged');
    assert.equal(after.run.archived, false, 'not archived');
    await evil.close();

    // The Loupe page itself: write notes through the UI, then archive through the UI.
    const { page } = s;
    await page.reload();
    const row = page.locator(`[data-testid="run-row"][data-run-id="${runId}"]`);
    await row.waitFor();
    await row.getByRole('button', { name: 'Notes' }).click();
    await page.locator('.notes-row textarea').fill('written by the Loupe page');
    await page.getByRole('button', { name: 'Save notes' }).click();
    await until(() => s.call<RunDetail>('runs.get', { runId }), (d) => d.run.notes === 'written by the Loupe page', 10_000, 'notes saved from the UI');
    await row.getByRole('button', { name: 'Archive' }).click();
    await page.getByTestId('confirm-archive').click();
    await until(() => s.call<RunDetail>('runs.get', { runId }), (d) => d.run.archived, 10_000, 'archived from the UI');
    await page.screenshot({ path: join(s.artifacts, 'loupe-after.png') });
  } finally {
    attacker.server.close();
    await s.close();
  }
});
