// Worker entry: reports which backends initialise on this machine, then exits.
import { parentPort } from 'node:worker_threads';
import { probeBackends } from './backend.ts';

parentPort!.postMessage(await probeBackends());
