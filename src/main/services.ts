// Wires the services both the app (through the API handlers) and the `loupe` CLI use: one store, one queue, one
// event stream, and the run, ablation and sample services over them. Nothing here knows about Electron, HTTP or terminals.
import path from 'node:path';
import { Store } from './store/store.ts';
import { dbPath } from './paths.ts';
import { Scheduler, type CommitInfo } from './scheduler/scheduler.ts';
import { createEvents, type ServiceEvents } from './scheduler/events.ts';
import { isolatingWorkerFactory, type EngineWorkerFactory } from './scheduler/engine-worker.ts';
import { monitorForRun, type MonitorFactory } from './monitor/index.ts';
import { createRunServices, type RunServices } from './services/runs.ts';
import { createAblationServices, type AblationServices } from './services/ablation.ts';
import { createSampleServices, type SampleServices } from './services/samples.ts';
import { createExternalServices, type ExternalServices } from './services/external.ts';
import { createEvalServices, type EvalServices } from './services/evals.ts';
import { createStudyServices, type StudyServices } from './services/studies.ts';

export { ServiceError } from './services/errors.ts';

export interface CreateServicesOptions {
  dataDir: string;
  /** Runs trained at the same time (default 1). */
  concurrency?: number;
  createWorker?: EngineWorkerFactory;
  /** null disables alert detection; default: src/main/monitor. */
  monitorFactory?: MonitorFactory | null;
  stopTimeoutMs?: number;
  onCommit?: (info: CommitInfo) => void;
}

export interface Services {
  dataDir: string;
  dbFile: string;
  /** The database under the services, for tests and tools; clients (the CLI, the API) go through the services. */
  store: Store;
  events: ServiceEvents;
  runs: RunServices;
  ablation: AblationServices;
  studies: StudyServices;
  samples: SampleServices;
  /** Runs from elsewhere: watched run files, imported logs, recipes exported to PyTorch. */
  external: ExternalServices;
  evals: EvalServices;
  /** Ids of runs marked crashed/stopped at open because the process driving them was gone. */
  recovered: string[];
  /** A consistent copy of the database while in use (SQLite backup API). */
  backup(file: string): Promise<void>;
  /** Stops running runs (each writes its last checkpoint), then closes the store. */
  close(): Promise<void>;
}

export async function createServices(opts: CreateServicesOptions): Promise<Services> {
  const dataDir = path.resolve(opts.dataDir);
  const dbFile = dbPath(dataDir);
  const store = Store.open(dbFile);
  const recovered = store.runs.recoverOrphans();
  const events = createEvents();
  const monitorFactory: MonitorFactory | null = opts.monitorFactory === undefined ? monitorForRun : opts.monitorFactory;
  const scheduler = new Scheduler({
    store,
    dataDir,
    events,
    createWorker: opts.createWorker ?? isolatingWorkerFactory(),
    monitorFactory,
    concurrency: opts.concurrency,
    stopTimeoutMs: opts.stopTimeoutMs,
    onCommit: opts.onCommit,
  });
  const runs = createRunServices({ store, scheduler, events, dataDir, monitorFactory });
  const samples = createSampleServices({ store, events, dataDir });
  const external = createExternalServices({ store, events, monitorFactory });
  const ablation = createAblationServices({ store, runs, events });
  let closing: Promise<void> | null = null;
  return {
    dataDir,
    dbFile,
    store,
    events,
    runs,
    ablation,
    studies: createStudyServices({ store, ablation }),
    evals: createEvalServices({ store, runs }),
    samples,
    external,
    recovered,
    backup: (file) => store.backup(file),
    close() {
      closing ??= Promise.all([scheduler.shutdown(), samples.close(), external.close()]).then(() => undefined).finally(() => store.close());
      return closing;
    },
  };
}
