// The run database: one SQLite file, one connection, and a store per concept over it (runs, metrics, alerts,
// checkpoints, samples). Whatever touches several of them in one transaction goes through `db` here.
import path from 'node:path';
import { openDatabase, type Db, type OpenOptions } from './db.ts';
import { RunsStore } from './runs-store.ts';
import { MetricsStore } from './metrics-store.ts';
import { AlertsStore } from './alerts-store.ts';
import { CheckpointsStore } from './checkpoints-store.ts';
import { SampleStore } from './sample-store.ts';

export class Store {
  readonly runs: RunsStore;
  readonly metrics: MetricsStore;
  readonly alerts: AlertsStore;
  readonly checkpoints: CheckpointsStore;
  readonly samples: SampleStore;

  constructor(
    readonly db: Db,
    readonly file: string,
  ) {
    this.runs = new RunsStore(db);
    this.metrics = new MetricsStore(db);
    this.alerts = new AlertsStore(db);
    this.checkpoints = new CheckpointsStore(db, path.dirname(path.resolve(file)));
    this.samples = new SampleStore(db);
  }

  static open(file: string, opts: OpenOptions = {}): Store {
    return new Store(openDatabase(file, opts), file);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  integrityCheck(): string {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  }

  /** A consistent copy of the whole database while it is in use (SQLite online backup API). */
  async backup(destination: string): Promise<void> {
    await this.db.backup(destination);
  }
}
