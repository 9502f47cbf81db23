// Starts a TypeScript worker entry from source (CLI, tests, browser mode): registers tsx, then loads the entry.
// The packaged Electron build bundles workers to plain JS and never goes through here.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.__entry);
