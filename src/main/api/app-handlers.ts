// app.info: version, transport, and which TF.js backends can train here (probed once, in a worker,
// so the main process never loads a backend itself).
import { createRequire } from 'node:module';
import type { AppInfo, BackendAvailability } from '../../shared/api/index.ts';
import { spawnWorker } from '../worker-spawn.ts';
import type { Handlers } from './dispatcher.ts';
import { appVersion } from '../repo-root.ts';

// Not named `require`: the desktop build prepends its own `require` to each chunk, and a second one breaks it.
const requireHere = createRequire(import.meta.url);

export function tfjsVersion(): string {
  return (requireHere('@tensorflow/tfjs-core/package.json') as { version: string }).version;
}

let probe: Promise<BackendAvailability[]> | null = null;

/** Asks a short-lived worker which backends initialise; cached for the life of the process. */
export function probeBackends(): Promise<BackendAvailability[]> {
  probe ??= new Promise<BackendAvailability[]>((resolve) => {
    const w = spawnWorker('engine/probe-worker');
    const fail = (why: string): void => resolve([{ name: 'cpu', available: true, detail: `backend probe failed (${why}); cpu assumed` }]);
    w.once('message', (m: BackendAvailability[]) => {
      resolve(m);
      void w.terminate();
    });
    w.once('error', (e) => fail(e.message));
    w.once('exit', (code) => fail(`exit ${code}`));
  });
  return probe;
}

export function appHandlers(opts: { transport: 'ipc' | 'http'; dataDir: string }): Handlers {
  return {
    'app.info': async (): Promise<AppInfo> => ({
      name: 'Loupe',
      version: appVersion,
      transport: opts.transport,
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
      tfjsVersion: tfjsVersion(),
      backends: await probeBackends(),
      dataDir: opts.dataDir,
    }),
  };
}
