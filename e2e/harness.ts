// e2e harness: starts Loupe's browser mode as a user would (its own process, a temporary LOUPE_HOME),
// launches Chromium via playwright-core, and opens the tokened URL so the page is authenticated. Page and console errors
// on any page fail the spec when its session closes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { chromiumFlags, ensureChromium } from './chromium.ts';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const artifactsRoot = join(repoRoot, 'e2e', 'artifacts');

export interface LoupeSession {
  baseUrl: string;
  page: Page;
  browser: Browser;
  loupeHome: string;
  artifacts: string;
  /** Everything the server printed so far (for assertions and failure messages). */
  serverLog(): string;
  /** Errors matching this are expected by the spec (e.g. a 4xx it provokes on purpose) and do not fail it. */
  allowPageErrors(pattern: RegExp): void;
  /** Page and console errors so far, the allowed ones aside. */
  pageProblems(): string[];
  /** One API request with the page's session cookie; fails with the server's message. */
  call<T>(name: string, params: unknown): Promise<T>;
  close(): Promise<void>;
}

export async function startServer(env: Record<string, string>): Promise<{ url: string; child: ChildProcess; log: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/main/serve-main.ts'), '--port', '0'], {
    cwd: repoRoot,
    env: { ...process.env, ...env, LOUPE_ANNOUNCE: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Loupe did not start within 180 s:\n${out}`)), 180_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /LOUPE_URL (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Loupe exited with code ${code} before serving:\n${out}`));
    });
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return { url, child, log: () => out };
}

export async function startLoupe(opts: { env?: Record<string, string>; name?: string } = {}): Promise<LoupeSession> {
  const executablePath = ensureChromium();
  const loupeHome = mkdtempSync(join(tmpdir(), 'loupe-e2e-'));
  const artifacts = join(artifactsRoot, opts.name ?? 'session');
  mkdirSync(artifacts, { recursive: true });
  const server = await startServer({ LOUPE_HOME: loupeHome, ...opts.env });
  const browser = await chromium.launch({ executablePath, args: chromiumFlags, headless: true });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  // Any uncaught page error or console error, on any page of the session, fails the spec when the session closes.
  const problems: string[] = [];
  const allowed: RegExp[] = [];
  const watch = (p: Page): void => {
    p.on('pageerror', (e) => problems.push(`page error on ${p.url()}: ${e.message}`));
    p.on('console', (m) => {
      if (m.type() !== 'error') return;
      const where = m.location().url;
      problems.push(`console error on ${p.url()}: ${m.text()}${where ? ` (${where})` : ''}`);
    });
  };
  context.on('page', watch);
  const page = await context.newPage();
  await page.goto(server.url);
  const baseUrl = new URL(server.url).origin;
  return {
    baseUrl,
    page,
    browser,
    loupeHome,
    artifacts,
    serverLog: server.log,
    call: async <T>(name: string, params: unknown): Promise<T> => {
      // As the Loupe page itself sends it: JSON, from Loupe's own origin (the host refuses any other).
      const r = await page.request.post(`${baseUrl}/api/call/${name}`, { data: params, headers: { origin: baseUrl } });
      const body = (await r.json()) as { ok: boolean; result?: T; error?: { message: string } };
      if (!body.ok) throw new Error(`${name}: ${body.error?.message ?? r.status()}`);
      return body.result as T;
    },
    allowPageErrors: (pattern: RegExp) => void allowed.push(pattern),
    pageProblems: () => problems.filter((p) => !allowed.some((a) => a.test(p))),
    close: async () => {
      await browser.close().catch(() => {});
      server.child.kill('SIGTERM');
      await new Promise((r) => server.child.once('exit', r));
      rmSync(loupeHome, { recursive: true, force: true });
      const unexpected = problems.filter((p) => !allowed.some((a) => a.test(p)));
      if (unexpected.length > 0) throw new Error(`the page logged ${unexpected.length} error(s):\n${unexpected.join('\n')}`);
    },
  };
}

/** Polls `read` until `ok` holds; returns the last value, or fails naming what it waited for and what it last saw. */
export async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  let v = await read();
  while (!ok(v)) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what} (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 250));
    v = await read();
  }
  return v;
}

/**
 * Monaco renders only the lines in its viewport: scrolls the config editor (down, then back up) until `target`
 * is rendered, so a spec can find a line wherever the config's field order puts it.
 */
export async function revealInEditor(page: Page, target: Locator): Promise<void> {
  const editor = page.locator('[data-testid="config-editor"] .monaco-editor').first();
  for (const dy of [...Array<number>(15).fill(120), ...Array<number>(30).fill(-120)]) {
    if ((await target.count()) > 0) return;
    await editor.hover();
    await page.mouse.wheel(0, dy);
    await page.waitForTimeout(80);
  }
}
