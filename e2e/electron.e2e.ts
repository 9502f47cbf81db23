// The desktop app under Playwright's Electron driver, where an Electron binary and a display exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { _electron } from 'playwright-core';
import { repoRoot } from './harness.ts';

const require = createRequire(import.meta.url);

function electronSkipReason(): string | null {
  const dir = dirname(require.resolve('electron/package.json'));
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile) || !existsSync(join(dir, 'dist', readFileSync(pathFile, 'utf8')))) {
    return 'no Electron binary in node_modules/electron/dist (it downloads on first use; this machine cannot fetch it) — browser-mode e2e covers the same UI';
  }
  if (process.platform === 'linux' && !process.env['DISPLAY']) return 'no display ($DISPLAY unset); run under xvfb-run to include the desktop e2e';
  return null;
}

const skip = electronSkipReason();

test('desktop app opens and shows the home screen', { skip: skip ?? false }, async () => {
  const build = spawnSync(process.execPath, [join(repoRoot, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: repoRoot, stdio: 'inherit' });
  assert.equal(build.status, 0);
  const app = await _electron.launch({
    args: [repoRoot],
    cwd: repoRoot,
    env: { ...process.env, LOUPE_HOME: mkdtempSync(join(tmpdir(), 'loupe-e2e-electron-')) },
  });
  try {
    const page = await app.firstWindow();
    await page.getByTestId('app-info').waitFor({ timeout: 60_000 });
    assert.match((await page.getByTestId('tfjs-version').textContent()) ?? '', /^\d+\.\d+\.\d+$/);
  } finally {
    await app.close();
  }
});
