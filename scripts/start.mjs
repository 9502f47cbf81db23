#!/usr/bin/env node
// `npm start`: the desktop app where Electron can run; otherwise browser mode, printing its URL.
// Electron needs its binary (fetched on first use) and, on Linux, a display.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function electronBinary() {
  let dir;
  try {
    dir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { path: null, why: 'the electron package is not installed' };
  }
  const pathFile = join(dir, 'path.txt');
  const existing = () => (existsSync(pathFile) ? join(dir, 'dist', readFileSync(pathFile, 'utf8')) : null);
  let bin = existing();
  if (!bin || !existsSync(bin)) {
    // Electron downloads its binary lazily; try once, quietly, and fall back if this machine can't.
    const r = spawnSync(process.execPath, [join(dir, 'install.js')], { stdio: 'ignore', timeout: 300_000 });
    bin = existing();
    if (r.status !== 0 || !bin || !existsSync(bin)) return { path: null, why: 'the Electron binary could not be downloaded' };
  }
  return { path: bin, why: null };
}

function whyNoDesktop() {
  if (process.env.LOUPE_BROWSER_MODE === '1') return 'LOUPE_BROWSER_MODE=1';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'no display ($DISPLAY is not set)';
  const e = electronBinary();
  return e.why;
}

/**
 * better-sqlite3 is compiled for this Node's ABI (the CLI and browser mode use it); Electron has its own ABI,
 * so the desktop app loads a second copy built against Electron's headers, made once per Electron version.
 */
function electronSqliteBinding() {
  const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
  const out = join(root, 'out', 'native', `electron-${electronVersion}`, 'better_sqlite3.node');
  if (existsSync(out)) return out;
  const gyp = process.env.npm_config_node_gyp;
  if (!gyp) throw new Error('run `npm start` (npm provides node-gyp to build the Electron copy of better-sqlite3)');
  console.error(`Building better-sqlite3 for Electron ${electronVersion} (one time)…`);
  const work = mkdtempSync(join(tmpdir(), 'loupe-sqlite-'));
  try {
    cpSync(dirname(require.resolve('better-sqlite3/package.json')), work, { recursive: true, filter: (src) => !src.includes(`${'/'}build${'/'}`) });
    const r = spawnSync(process.execPath, [gyp, 'rebuild', '--release', '--runtime=electron', `--target=${electronVersion}`, '--dist-url=https://electronjs.org/headers'], { cwd: work, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('node-gyp could not build better-sqlite3 for Electron (see above)');
    mkdirSync(dirname(out), { recursive: true });
    cpSync(join(work, 'build', 'Release', 'better_sqlite3.node'), out);
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const why = whyNoDesktop();
if (!why) {
  const build = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { stdio: 'inherit', cwd: root });
  if (build.status !== 0) process.exit(build.status ?? 1);
  const env = { ...process.env, LOUPE_SQLITE_BINDING: electronSqliteBinding() };
  const child = spawn(process.execPath, [join(root, 'node_modules/electron/cli.js'), root], { stdio: 'inherit', cwd: root, env });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.error(`Desktop app unavailable (${why}): starting browser mode instead.`);
  const port = process.env.LOUPE_PORT ?? '0';
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/main/serve-main.ts'), '--port', port], { stdio: 'inherit', cwd: root });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}
