// Browser-mode host: serves the built renderer and the API over loopback HTTP + WebSocket.
// Security (DESIGN.md §8): 127.0.0.1 only, a random token in the URL traded for an HttpOnly cookie,
// loopback Host header (DNS rebinding), API calls only from Loupe's own origin as JSON (another local port
// is same-site, so the cookie alone proves nothing), matching WebSocket Origin, constant-time compares, no CORS.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { WsClientMessage, type WsServerMessage } from '../../shared/api/wire.ts';
import type { Dispatcher } from '../api/dispatcher.ts';

export const sessionCookie = 'loupe_session';
const maxBodyBytes = 10 * 1024 * 1024;

export interface HostOptions {
  dispatcher: Dispatcher;
  /** Folder with the built renderer (index.html + assets); null serves the API only. */
  staticDir: string | null;
  port?: number;
  /** Fixed token (tests); random otherwise. */
  token?: string;
}

export interface RunningHost {
  url: string;
  port: number;
  token: string;
  /** Pushes an event to every connected client. */
  broadcast(name: string, payload: unknown): void;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  // Compare equal-length buffers only; the length itself leaks nothing useful (tokens have a fixed length).
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export function isLoopbackHost(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false;
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(hostHeader.toLowerCase());
}

export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (!origin) return false;
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`].includes(origin.toLowerCase());
}

/**
 * A browser sends Origin with every POST; only a page Loupe served has Loupe's origin. Without Origin,
 * Sec-Fetch-Site still tells a same-origin request from a cross-site one.
 */
export function isSameOriginRequest(headers: IncomingMessage['headers']): boolean {
  const origin = headers.origin;
  if (origin !== undefined) return headers.host !== undefined && origin.toLowerCase() === `http://${headers.host.toLowerCase()}`;
  return headers['sec-fetch-site'] === 'same-origin';
}

/** application/json, with or without parameters: a type no HTML form and no "simple" cross-site fetch can send. */
export function isJsonContentType(header: string | undefined): boolean {
  return header !== undefined && header.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/** Where to send the browser after the token exchange: always a path on this origin, never `//other.host/`. */
export function sameOriginPath(pathname: string): string {
  return `/${pathname.replace(/^[/\\]+/, '')}`;
}

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return null;
}

function securityHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  );
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.end(body);
}

export async function startHost(opts: HostOptions): Promise<RunningHost> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const staticRoot = opts.staticDir ? resolve(opts.staticDir) : null;
  let port = 0;

  const authed = (req: IncomingMessage): boolean => {
    const c = readCookie(req.headers.cookie, sessionCookie);
    return c !== null && safeEqual(c, token);
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'Internal error');
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    securityHeaders(res);
    if (!isLoopbackHost(req.headers.host, port)) return send(res, 403, 'Forbidden: Loupe answers only on a loopback Host.');
    const target = req.url ?? '/';
    // Only origin-form targets ("/path?query"); the base keeps "//x" a path instead of a host.
    if (!target.startsWith('/')) return send(res, 400, 'Bad request');
    let url: URL;
    try {
      url = new URL(`http://127.0.0.1:${port}${target}`);
    } catch {
      return send(res, 400, 'Bad request');
    }

    const offered = url.searchParams.get('token');
    if (offered !== null) {
      if (!safeEqual(offered, token)) return send(res, 401, 'Unauthorized: that token is not valid for this Loupe server.');
      res.setHeader('Set-Cookie', `${sessionCookie}=${token}; HttpOnly; SameSite=Strict; Path=/`);
      res.statusCode = 302;
      res.setHeader('Location', sameOriginPath(url.pathname));
      return void res.end();
    }
    if (!authed(req)) {
      return send(res, 401, 'Unauthorized: open the URL that `loupe serve` (or `npm start`) printed, with its token.');
    }

    if (url.pathname.startsWith('/api/call/')) {
      if (req.method !== 'POST') return send(res, 405, 'Use POST');
      if (!isSameOriginRequest(req.headers)) return send(res, 403, 'Forbidden: API calls are accepted only from the Loupe page itself.');
      if (!isJsonContentType(req.headers['content-type'])) return send(res, 415, 'Unsupported media type: send the call as application/json.');
      let name: string;
      try {
        name = decodeURIComponent(url.pathname.slice('/api/call/'.length));
      } catch {
        return send(res, 400, JSON.stringify({ ok: false, error: { code: 'bad_request', message: 'Malformed %-escape in the request path' } }), 'application/json');
      }
      const body = await readBody(req);
      if (body === null) return tooLarge(res);
      let params: unknown;
      try {
        params = body.length ? JSON.parse(body) : {};
      } catch {
        return send(res, 400, JSON.stringify({ ok: false, error: { code: 'bad_request', message: 'Body is not valid JSON' } }), 'application/json');
      }
      const reply = await opts.dispatcher.dispatch(name, params);
      const status = reply.ok ? 200 : reply.error.code === 'not_found' ? 404 : reply.error.code === 'internal' ? 500 : 400;
      return send(res, status, JSON.stringify(reply), 'application/json');
    }

    if (!staticRoot) return send(res, 404, 'Not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed');
    const file = await resolveStatic(staticRoot, url.pathname);
    if (file === 'malformed') return send(res, 400, 'Bad request: malformed %-escape in the path');
    if (!file) return send(res, 404, 'Not found');
    res.statusCode = 200;
    res.setHeader('Content-Type', contentTypes[extname(file)] ?? 'application/octet-stream');
    res.setHeader('Cache-Control', file.endsWith('index.html') ? 'no-cache' : 'max-age=3600');
    res.end(req.method === 'HEAD' ? undefined : await readFile(file));
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxBodyBytes });
  const clients = new Set<WebSocket>();

  server.on('upgrade', (req, socket, head) => {
    // A peer that vanishes mid-handshake must not become an unhandled 'error' that ends the process.
    socket.on('error', () => socket.destroy());
    const reject = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/api/ws') return reject(404, 'Not Found');
    if (!isLoopbackHost(req.headers.host, port)) return reject(403, 'Forbidden');
    if (!isAllowedOrigin(req.headers.origin, port)) return reject(403, 'Forbidden');
    if (!authed(req)) return reject(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => {
      clients.add(ws);
      // A bad frame (too large, invalid UTF-8, unmasked, reserved opcode) ends this socket only; ws has
      // already sent the close code, and without a listener the 'error' would end the whole server.
      ws.on('error', () => ws.terminate());
      ws.on('close', () => clients.delete(ws));
      ws.on('message', (data) => void onMessage(ws, String(data)));
    });
  });

  async function onMessage(ws: WebSocket, raw: string): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return;
    }
    const msg = WsClientMessage.safeParse(json);
    if (!msg.success) return;
    const reply = await opts.dispatcher.dispatch(msg.data.name, msg.data.params);
    const out: WsServerMessage = reply.ok
      ? { type: 'reply', id: msg.data.id, ok: true, result: reply.result }
      : { type: 'reply', id: msg.data.id, ok: false, error: reply.error };
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(out));
  }

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    broadcast(name, payload) {
      const text = JSON.stringify({ type: 'event', name, payload } satisfies WsServerMessage);
      for (const c of clients) if (c.readyState === c.OPEN) c.send(text);
    },
    close: () =>
      new Promise<void>((done) => {
        for (const c of clients) c.terminate();
        wss.close();
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** 413, then the connection closes; the client sees the answer rather than a reset. */
function tooLarge(res: ServerResponse): void {
  res.setHeader('Connection', 'close');
  send(res, 413, JSON.stringify({ ok: false, error: { code: 'bad_request', message: `Request body over the ${maxBodyBytes / (1024 * 1024)} MiB limit` } }), 'application/json');
}

/** The body as text, or null once it passes the limit (the rest is read and dropped, so the 413 arrives). */
function readBody(req: IncomingMessage): Promise<string | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBodyBytes) {
    req.resume();
    return Promise.resolve(null);
  }
  return new Promise((resolveBody, rejectBody) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= maxBodyBytes) chunks.push(c);
      else chunks.length = 0;
    });
    req.on('end', () => resolveBody(size > maxBodyBytes ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', rejectBody);
  });
}

async function resolveStatic(root: string, pathname: string): Promise<string | 'malformed' | null> {
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return 'malformed';
  }
  const candidate = normalize(join(root, rel));
  if (candidate !== root && !candidate.startsWith(root + sep)) return null;
  for (const file of [candidate, join(candidate, 'index.html')]) {
    try {
      if ((await stat(file)).isFile()) return file;
    } catch {
      // try the next candidate
    }
  }
  // Client-side routes use the hash, so any other miss is a real 404 (no SPA fallback needed).
  return null;
}
