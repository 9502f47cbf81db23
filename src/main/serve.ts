// Serves the full app in browser mode on loopback and prints its tokened URL (`loupe serve`, `npm start` fallback).
import { startBrowserMode } from './host/browser-mode.ts';
import { buildHandlers } from './api/handlers.ts';
import type { RunningHost } from './host/http-host.ts';

export interface ServeOptions {
  dataDir: string;
  port?: number;
  /** Print a machine-readable line for harnesses: `LOUPE_URL <url>`. */
  announce?: (url: string) => void;
  log?: (line: string) => void;
}

export async function serveBrowserMode(opts: ServeOptions): Promise<RunningHost> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const backend = await buildHandlers({ transport: 'http', dataDir: opts.dataDir });
  const host = await startBrowserMode({
    dataDir: opts.dataDir,
    port: opts.port,
    handlers: backend.handlers,
    subscribe: backend.subscribe,
    log,
  });
  (opts.announce ?? ((url: string) => console.log(`Loupe is running in browser mode: ${url}\nOpen it in Chromium or Chrome. Press Ctrl-C to stop.`)))(host.url);
  return {
    ...host,
    close: async () => {
      await host.close();
      await backend.close();
    },
  };
}
