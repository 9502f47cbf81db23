// The wiring slice end to end: Chromium → browser-mode host → API dispatcher → backend probe → page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startLoupe } from './harness.ts';

test('home screen shows the TF.js version and the backends main probed', async () => {
  const s = await startLoupe({ name: 'app-info' });
  try {
    await s.page.getByTestId('app-info').waitFor({ timeout: 60_000 });
    const version = await s.page.getByTestId('tfjs-version').textContent();
    assert.match(version ?? '', /^\d+\.\d+\.\d+$/);
    // The probe really initialised a backend: cpu is always available in Node.
    const cpu = await s.page.getByTestId('backend-cpu').textContent();
    assert.match(cpu ?? '', /available/);
    await s.page.screenshot({ path: join(s.artifacts, 'home.png') });
  } finally {
    await s.close();
  }
});

test('the host refuses requests without the session token', async () => {
  const s = await startLoupe({ name: 'auth' });
  try {
    const anonymous = await fetch(`${s.baseUrl}/api/call/app.info`, { method: 'POST', body: '{}' });
    assert.equal(anonymous.status, 401);
  } finally {
    await s.close();
  }
});
