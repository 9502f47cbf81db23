// The self-contained CLI: `npm run bundle` builds dist/ under 60 MiB, and a copy of it in a folder with no node_modules
// anywhere above trains the baseline, lists the run and samples from it, and runs the GPU benchmark, with Node alone.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
let work: string;
let app: string;

function loupe(args: string[], timeout = 240_000, script = 'loupe.mjs'): string {
  return execFileSync(process.execPath, [join(app, script), ...args], {
    cwd: work,
    env: { PATH: process.env['PATH'], HOME: work, LOUPE_HOME: join(work, 'home') },
    encoding: 'utf8',
    timeout,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const loupeBench = (args: string[]): string => loupe(args, 120_000, 'bench-gpu.js');

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'loupe-bundle-'));
  const built = join(work, 'built');
  const out = execFileSync(process.execPath, [join(root, 'scripts', 'bundle.mjs'), built], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  expect(out).toMatch(/^bundle: .* MiB/);
  // Moved away from the checkout: nothing can be resolved from the repository's node_modules.
  app = join(work, 'app');
  cpSync(built, app, { recursive: true });
  rmSync(built, { recursive: true, force: true });
}, 180_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm run bundle', () => {
  it('has no node_modules above it but its own', () => {
    for (let dir = work; dir !== join(dir, '..'); dir = join(dir, '..')) expect(existsSync(join(dir, 'node_modules')), dir).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'better-sqlite3'))).toBe(true);
  });

  it('trains the baseline, lists it and samples from it with Node alone', () => {
    const summary = JSON.parse(loupe(['baseline', '--steps', '2', '--backend', 'wasm', '--json'])) as { status: string; steps: number; backend: string; run_id: string; val_loss: number };
    expect(summary).toMatchObject({ status: 'finished', steps: 2, backend: 'wasm' });
    expect(summary.val_loss).toBeGreaterThan(0);
    const runs = JSON.parse(loupe(['runs', '--json'])) as { id: string }[];
    expect(runs.map((r) => r.id)).toContain(summary.run_id);
    const sample = JSON.parse(loupe(['sample', summary.run_id, '--prompt', 'Call me', '--max-tokens', '5', '--json'])) as { tokens?: unknown; pieces: string[] };
    expect(sample.pieces).toHaveLength(5);
  }, 300_000);

  it('runs the GPU benchmark (wasm alone where no hardware GPU is found)', () => {
    const report = JSON.parse(loupeBench(['--models', 'tiny', '--steps', '1', '--json'])) as { backends: { name: string }[]; results: { backend: string; tokensPerS: number }[] };
    expect(report.backends.map((b) => b.name)).toEqual(['tensorflow', 'webgpu', 'wasm', 'cpu']);
    expect(report.results[0]).toMatchObject({ backend: 'wasm' });
    expect(report.results[0]!.tokensPerS).toBeGreaterThan(0);
  }, 120_000);
});
