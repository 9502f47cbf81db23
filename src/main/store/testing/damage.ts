// Test helper: a data folder whose database has garbage over some middle pages, as a failing disk leaves it.
import fs from 'node:fs';
import path from 'node:path';
import { resolveConfig } from '../../../shared/config.ts';
import { Store } from '../store.ts';
import { tempDir } from '../../scheduler/testing/harness.ts';

export const pageSize = 4096;

export function damagedHome(): { home: string; file: string } {
  const home = tempDir();
  const file = path.join(home, 'loupe.db');
  const store = Store.open(file);
  const config = resolveConfig({ name: 't', train: { steps: 100, warmup_steps: 0 } });
  if (!config.ok) throw new Error('bad test config');
  const run = store.runs.create({ name: 'r', config: config.config });
  store.metrics.insert(run.id, 1, 0, Array.from({ length: 3000 }, (_, i) => ({ step: i + 1, key: 'train/loss', value: 1 / (i + 1) })));
  store.close();
  if (fs.statSync(file).size < pageSize * 12) throw new Error('test database too small to damage its middle');
  const fd = fs.openSync(file, 'r+');
  const garbage = Buffer.alloc(pageSize * 3);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 131 + 7) & 0xff;
  fs.writeSync(fd, garbage, 0, garbage.length, pageSize * 6);
  fs.closeSync(fd);
  return { home, file };
}
