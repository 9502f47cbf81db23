// Browser mode: the whole app over loopback HTTP/WebSocket, for machines where Electron can't run
// (no binary, no display, a headless GPU box). Used by `loupe serve` and `npm start`.
import { createDispatcher, type Handlers } from '../api/dispatcher.ts';
import { appHandlers } from '../api/app-handlers.ts';
import { startHost, type RunningHost } from './http-host.ts';
import { ensureRendererBuilt } from './renderer-build.ts';

export interface BrowserModeOptions {
  dataDir: string;
  port?: number;
  token?: string;
  /** Handlers beyond app.info (runs, samples, …), from the services. */
  handlers?: Handlers;
  /** Subscribes the host to service events; returns an unsubscribe function. */
  subscribe?: (listener: (name: string, payload: unknown) => void) => () => void;
  /** Skip building the UI (API-only tests). */
  apiOnly?: boolean;
  log?: (line: string) => void;
}

export async function startBrowserMode(opts: BrowserModeOptions): Promise<RunningHost> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const staticDir = opts.apiOnly ? null : await ensureRendererBuilt(log);
  const handlers: Handlers = { ...appHandlers({ transport: 'http', dataDir: opts.dataDir }), ...opts.handlers };
  const dispatcher = createDispatcher(handlers, (e) => log(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
  const host = await startHost({ dispatcher, staticDir, port: opts.port, token: opts.token });
  const unsubscribe = opts.subscribe?.((name, payload) => host.broadcast(name, payload));
  return {
    ...host,
    close: async () => {
      unsubscribe?.();
      await host.close();
    },
  };
}
