// The same one-click spec as runs.e2e.ts, against the desktop app under Playwright's Electron driver, where an
// Electron binary and a display exist; otherwise reported skipped with the reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { _electron } from 'playwright-core';
import { artifactsRoot, repoRoot } from './harness.ts';
import { runBaselineSpec } from './runs-spec.ts';

const require = createRequire(import.meta.url);
const STEPS = 30;

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

test('desktop app: Run baseline trains live, finishes in the table, and its history survives a reload', { skip: skip ?? false }, async () => {
  const build = spawnSync(process.execPath, [join(repoRoot, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: repoRoot, stdio: 'inherit' });
  assert.equal(build.status, 0);
  const home = mkdtempSync(join(tmpdir(), 'loupe-e2e-electron-'));
  const artifacts = join(artifactsRoot, 'electron');
  mkdirSync(artifacts, { recursive: true });
  const app = await _electron.launch({
    args: [repoRoot],
    cwd: repoRoot,
    env: { ...process.env, LOUPE_HOME: home, LOUPE_BASELINE_STEPS: String(STEPS) },
  });
  let log = '';
  app.process().stdout?.on('data', (d: Buffer) => (log += d.toString()));
  app.process().stderr?.on('data', (d: Buffer) => (log += d.toString()));
  try {
    const page = await app.firstWindow();
    await page.getByTestId('app-info').waitFor({ timeout: 60_000 });
    assert.match((await page.getByTestId('tfjs-version').textContent()) ?? '', /^\d+\.\d+\.\d+$/);
    // Secure defaults as the renderer sees them: no Node, only the typed bridge.
    assert.deepEqual(await page.evaluate(() => [typeof (globalThis as { require?: unknown }).require, typeof (globalThis as { process?: unknown }).process, typeof (globalThis as { loupe?: unknown }).loupe]), ['undefined', 'undefined', 'object']);
    await runBaselineSpec(
      {
        page,
        artifacts,
        // A file:// page: routes change by hash, as the app's own links do.
        open: async (hash) => void (await page.evaluate((h) => void ((globalThis as unknown as { location: { hash: string } }).location.hash = h), hash)),
        log: () => log,
      },
      STEPS,
    );
  } finally {
    await app.close();
    rmSync(home, { recursive: true, force: true });
  }
});
