// Browser-mode host security: token → HttpOnly cookie, 401 without it, loopback Host only, foreign WebSocket Origin refused.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { request } from 'node:http';
import WebSocket from 'ws';
import { startHost, isLoopbackHost, isAllowedOrigin, safeEqual, type RunningHost } from './http-host.ts';
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
    const call = await get(host.port, '/api/call/runs.list', { host: hostHeader(), cookie: cookie() }, 'POST', '{}');
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

  it('helpers', () => {
    expect(isLoopbackHost('localhost:80', 80)).toBe(true);
    expect(isLoopbackHost('127.0.0.1.evil.com:80', 80)).toBe(false);
    expect(isAllowedOrigin('http://localhost:5', 5)).toBe(true);
    expect(isAllowedOrigin('null', 5)).toBe(false);
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});
