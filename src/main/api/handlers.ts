// Composes every request handler over the run services; both hosts (IPC, HTTP) use this one composition.
import type { Handlers } from './dispatcher.ts';
import { appHandlers } from './app-handlers.ts';

export interface ApiBackend {
  handlers: Handlers;
  subscribe?: (listener: (name: string, payload: unknown) => void) => () => void;
  close(): Promise<void>;
}

export async function buildHandlers(opts: { transport: 'ipc' | 'http'; dataDir: string }): Promise<ApiBackend> {
  return {
    handlers: { ...appHandlers(opts) },
    close: async () => {},
  };
}
