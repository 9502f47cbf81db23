// Composes every request handler over the run services; both hosts (IPC, HTTP) use this one composition.
import type { Handlers } from './dispatcher.ts';
import { appHandlers } from './app-handlers.ts';
import { runHandlers } from './runs-handlers.ts';
import { sampleHandlers } from './sample-handlers.ts';
import { ablationHandlers } from './ablation-handlers.ts';
import { externalHandlers } from './external-handlers.ts';
import { diagnosticsHandlers } from './diagnostics-handlers.ts';
import { studyHandlers } from './study-handlers.ts';
import { createServices, type Services } from '../services.ts';

export interface ApiBackend {
  handlers: Handlers;
  services: Services;
  subscribe?: (listener: (name: string, payload: unknown) => void) => () => void;
  close(): Promise<void>;
}

/** LOUPE_BASELINE_STEPS shortens the one-click baseline (demos, e2e); unset means the full recipe. */
function baselineStepsFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env['LOUPE_BASELINE_STEPS'];
  if (!raw) return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

export async function buildHandlers(opts: { transport: 'ipc' | 'http'; dataDir: string }): Promise<ApiBackend> {
  const services = await createServices({ dataDir: opts.dataDir });
  const runs = runHandlers(services);
  const envSteps = baselineStepsFromEnv();
  return {
    handlers: {
      ...appHandlers(opts),
      ...runs,
      ...sampleHandlers(services),
      ...ablationHandlers(services),
      ...externalHandlers(services),
      ...diagnosticsHandlers(services),
      ...studyHandlers(services),
      'runs.startBaseline': (p) => runs['runs.startBaseline']({ ...p, steps: p.steps ?? (p.scale === undefined ? envSteps : undefined) }),
    },
    services,
    subscribe: (listener) => services.events.onAny(listener),
    close: () => services.close(),
  };
}
