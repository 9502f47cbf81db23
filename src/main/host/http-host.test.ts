// Browser-mode host security: token → HttpOnly cookie, 401 without it, loopback Host only, API calls only from
// Loupe's own origin as JSON, foreign WebSocket Origin refused, bad frames and bad requests end only themselves.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { request } from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startHost, isLoopbackHost, isAllowedOrigin, isSameOriginRequest, isJsonContentType, sameOriginPath, safeEqual, type RunningHost } from './http-host.ts';
import { createDispatcher } from '../api/dispatcher.ts';

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function wsOutcome(url: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
    ws.on('error', () => resolve('error'));
  });
}

/** Opens a WebSocket by hand (handshake written on a raw TCP socket) so the test can send frames no client library would. */
function rawWebSocket(port: number, headers: Record<string, string>): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const lines = ['GET /api/ws HTTP/1.1', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13'];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    socket.once('connect', () => socket.write(`${lines.join('\r\n')}\r\n\r\n`));
    socket.once('data', (d: Buffer) => (d.toString().startsWith('HTTP/1.1 101') ? resolve(socket) : reject(new Error(d.toString()))));
    socket.once('error', reject);
  });
}

/** A client frame: FIN + opcode, masked unless told otherwise, with a 16- or 64-bit length where needed. */
function frame(opcode: number, payload: Buffer, opts: { masked?: boolean; declaredLength?: number } = {}): Buffer {
  const masked = opts.masked ?? true;
  const len = opts.declaredLength ?? payload.length;
  const head: number[] = [0x80 | opcode];
  const m = masked ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else if (len < 65536) head.push(m | 126, len >> 8, len & 0xff);
  else {
    head.push(m | 127);
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(len));
    head.push(...b);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((x, i) => x ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from(head), mask, body]);
}

/** Resolves when the server closes the socket, with the close code of the close frame it sent (null if none). */
function closedBy(socket: Socket): Promise<number | null> {
  return new Promise((resolve) => {
    let data = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => (data = Buffer.concat([data, d])));
    socket.on('error', () => {});
    socket.on('close', () => resolve(data.length >= 4 && (data[0]! & 0x0f) === 0x8 ? data.readUInt16BE(2) : null));
  });
}

function wsCall(url: string, headers: Record<string, string>, name: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'call', id: 1, name, params: {} })));
    ws.on('message', (d) => {
      ws.close();
      resolve(JSON.parse(String(d)));
    });
    ws.on('error', reject);
  });
}

describe('browser-mode host security', () => {
  let host: RunningHost;
  const token = 'a'.repeat(32);
  beforeAll(async () => {
    const dispatcher = createDispatcher({ 'runs.list': () => [] });
    host = await startHost({ dispatcher, staticDir: null, token });
  });
  afterAll(() => host.close());

  const hostHeader = (): string => `127.0.0.1:${host.port}`;
  const cookie = (): string => `loupe_session=${token}`;
  const origin = (): string => `http://127.0.0.1:${host.port}`;
  /** What the Loupe page itself sends with an API call. */
  const own = (): Record<string, string> => ({ host: hostHeader(), cookie: cookie(), origin: origin(), 'content-type': 'application/json' });

  it('binds loopback and prints a tokened URL', () => {
    expect(host.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/\\?token=`));
  });

  it('401 without the cookie; the token is exchanged for an HttpOnly cookie', async () => {
    expect((await get(host.port, '/api/call/runs.list', { host: hostHeader() }, 'POST', '{}')).status).toBe(401);
    const bad = await get(host.port, `/?token=${'b'.repeat(32)}`, { host: hostHeader() });
    expect(bad.status).toBe(401);
    const ok = await get(host.port, `/?token=${token}`, { host: hostHeader() });
    expect(ok.status).toBe(302);
    expect(String(ok.headers['set-cookie'])).toMatch(/loupe_session=.*HttpOnly/);
    const call = await get(host.port, '/api/call/runs.list', own(), 'POST', '{}');
    expect(call.status).toBe(200);
    expect(JSON.parse(call.body)).toEqual({ ok: true, result: [] });
    expect(call.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('403 for a non-loopback Host header (DNS rebinding), even with the cookie', async () => {
    const r = await get(host.port, '/api/call/runs.list', { host: `evil.example:${host.port}`, cookie: cookie() }, 'POST', '{}');
    expect(r.status).toBe(403);
  });

  it('refuses a WebSocket with a foreign Origin or no cookie', async () => {
    const url = `ws://127.0.0.1:${host.port}/api/ws`;
    expect(await wsOutcome(url, { cookie: cookie(), origin: 'http://evil.example' })).toBe('403');
    expect(await wsOutcome(url, { origin: `http://127.0.0.1:${host.port}` })).toBe('401');
    expect(await wsOutcome(url, { cookie: cookie(), origin: `http://127.0.0.1:${host.port}` })).toBe('open');
  });

  it('API calls only from Loupe\'s own origin, only as JSON, never on GET', async () => {
    const call = (headers: Record<string, string>, method = 'POST'): Promise<number> => get(host.port, '/api/call/runs.list', headers, method, method === 'POST' ? '{}' : undefined).then((r) => r.status);
    expect(await call(own())).toBe(200);
    // Another port of 127.0.0.1 is same-site: the cookie comes along, the Origin gives it away.
    expect(await call({ ...own(), origin: 'http://127.0.0.1:1' })).toBe(403);
    expect(await call({ ...own(), origin: 'null' })).toBe(403);
    const { origin: _o, ...noOrigin } = own();
    expect(await call(noOrigin)).toBe(403);
    expect(await call({ ...noOrigin, 'sec-fetch-site': 'same-site' })).toBe(403);
    expect(await call({ ...noOrigin, 'sec-fetch-site': 'same-origin' })).toBe(200);
    // What a form or a "simple" fetch can send without a preflight.
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) expect(await call({ ...own(), 'content-type': type })).toBe(415);
    const { 'content-type': _t, ...noType } = own();
    expect(await call(noType)).toBe(415);
    expect(await call({ ...own(), 'content-type': 'application/json; charset=utf-8' })).toBe(200);
    expect(await call(own(), 'GET')).toBe(405);
  });

  it('the token redirect stays on this origin', async () => {
    for (const path of ['/.//evil.com/', '//evil.com/', '/\\evil.com/', '/./\\/evil.com/']) {
      const r = await get(host.port, `${path}?token=${token}`, { host: hostHeader() });
      expect(r.status).toBe(302);
      const location = String(r.headers.location);
      expect(location).toMatch(/^\/[^/\\]/);
      expect(new URL(location, origin()).origin).toBe(origin());
    }
    expect((await get(host.port, `/?token=${token}`, { host: hostHeader() })).headers.location).toBe('/');
  });

  it('a body over the limit gets 413 (not a reset); a malformed %-escape gets 400 (not 500)', async () => {
    const big = 'x'.repeat(11 * 1024 * 1024);
    const r = await get(host.port, '/api/call/runs.list', own(), 'POST', big);
    expect(r.status).toBe(413);
    expect(r.body).toContain('limit');
    expect((await get(host.port, '/api/call/runs.%E0%A4%A', own(), 'POST', '{}')).status).toBe(400);
    expect((await get(host.port, '/api/call/runs.list', own(), 'POST', '{}')).status).toBe(200);
    // The same for a static path, on a host that serves the UI.
    const ui = mkdtempSync(join(tmpdir(), 'loupe-ui-'));
    writeFileSync(join(ui, 'index.html'), '<!doctype html>');
    const withUi = await startHost({ dispatcher: createDispatcher({}), staticDir: ui, token });
    try {
      const h = { host: `127.0.0.1:${withUi.port}`, cookie: cookie() };
      expect((await get(withUi.port, '/assets/%E0%A4%A.js', h)).status).toBe(400);
      expect((await get(withUi.port, '/', h)).status).toBe(200);
    } finally {
      await withUi.close();
    }
  });

  it('helpers', () => {
    expect(isLoopbackHost('localhost:80', 80)).toBe(true);
    expect(isLoopbackHost('127.0.0.1.evil.com:80', 80)).toBe(false);
    expect(isAllowedOrigin('http://localhost:5', 5)).toBe(true);
    expect(isAllowedOrigin('null', 5)).toBe(false);
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(isSameOriginRequest({ host: '127.0.0.1:5', origin: 'http://127.0.0.1:5' })).toBe(true);
    expect(isSameOriginRequest({ host: 'localhost:5', origin: 'http://127.0.0.1:5' })).toBe(false);
    expect(isJsonContentType('Application/JSON ; charset=utf-8')).toBe(true);
    expect(isJsonContentType('application/jsonp')).toBe(false);
    expect(sameOriginPath('//evil.com/x')).toBe('/evil.com/x');
  });
});

/** The host in its own process, as `loupe serve` runs it: an unhandled error there ends the process, as it would for a user. */
async function hostProcess(token: string): Promise<{ port: number; child: ChildProcess }> {
  const script = `
    const { startHost } = await import(${JSON.stringify(fileURLToPath(new URL('./http-host.ts', import.meta.url)))});
    const { createDispatcher } = await import(${JSON.stringify(fileURLToPath(new URL('../api/dispatcher.ts', import.meta.url)))});
    const host = await startHost({ dispatcher: createDispatcher({ 'runs.list': () => [] }), staticDir: null, token: ${JSON.stringify(token)} });
    console.log('PORT ' + host.port);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const m = /PORT (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`host process exited (${code})`)));
  });
  return { port, child };
}

describe('bad WebSocket frames', () => {
  let child: ChildProcess;
  let port: number;
  const token = 'c'.repeat(32);
  beforeAll(async () => {
    ({ port, child } = await hostProcess(token));
  }, 60_000);
  afterAll(() => {
    child.kill();
  });

  it('each closes its own socket only; the server and other clients carry on', async () => {
    const origin = `http://127.0.0.1:${port}`;
    const headers = { Host: `127.0.0.1:${port}`, Cookie: `loupe_session=${token}`, Origin: origin };
    const own = { host: headers.Host, cookie: headers.Cookie, origin, 'content-type': 'application/json' };
    const bad: [string, Buffer, number][] = [
      ['over the payload limit', frame(0x2, Buffer.alloc(0), { declaredLength: 64 * 1024 * 1024 }), 1009],
      ['invalid UTF-8 in a text frame', frame(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 1007],
      ['unmasked client frame', frame(0x1, Buffer.from('{}'), { masked: false }), 1002],
      ['reserved opcode', frame(0x3, Buffer.from('x')), 1002],
    ];
    const url = `ws://127.0.0.1:${port}/api/ws`;
    for (const [what, bytes, code] of bad) {
      const watcher = new WebSocket(url, { headers });
      await new Promise((r) => watcher.once('open', r));
      const socket = await rawWebSocket(port, headers);
      const closed = closedBy(socket);
      socket.write(bytes);
      expect(await closed, what).toBe(code);
      await new Promise((r) => setTimeout(r, 100));
      expect(child.exitCode, `${what}: the server process is still alive`).toBeNull();
      // The server still answers HTTP, a client connected before still works, and a new one connects.
      expect((await get(port, '/api/call/runs.list', own, 'POST', '{}')).status, what).toBe(200);
      expect(watcher.readyState, what).toBe(WebSocket.OPEN);
      watcher.close();
      expect(await wsCall(url, headers, 'runs.list'), what).toEqual({ type: 'reply', id: 1, ok: true, result: [] });
    }
  }, 30_000);
});
