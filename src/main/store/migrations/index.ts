// The ordered list of schema migrations; the schema version is PRAGMA user_version = the last applied number.
import { sql as m0001 } from './0001-initial.ts';
import { sql as m0002 } from './0002-checkpoint-pruning.ts';
import { sql as m0003 } from './0003-samples.ts';
import { sql as m0004 } from './0004-superseded-metrics.ts';
import { sql as m0005 } from './0005-relative-checkpoint-paths.ts';
import { sql as m0006 } from './0006-external-runs.ts';
import { sql as m0008 } from './0008-condensation-histograms.ts';
import { sql as m0007 } from './0007-val-steps.ts';

export interface Migration {
  version: number;
  sql: string;
}

export const migrations: readonly Migration[] = [
  { version: 1, sql: m0001 },
  { version: 2, sql: m0002 },
  { version: 3, sql: m0003 },
  { version: 4, sql: m0004 },
  { version: 5, sql: m0005 },
  { version: 6, sql: m0006 },
  { version: 7, sql: m0007 },
  { version: 8, sql: m0008 },
];
