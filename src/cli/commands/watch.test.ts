// `loupe watch FILE` as a user runs it: reads a PyTorch job's run file (crashed once and resumed) to its end line,
// prints the run as JSON and exits 0; `loupe runs` then lists it as external; a missing path is a usage error.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../main/scheduler/testing/harness.ts';
import { loupe } from '../testing.ts';

describe('loupe watch', () => {
  it('returns after the end line with the run id as JSON', async () => {
    const home = tempDir();
    const env = { LOUPE_HOME: home };
    const file = path.join(home, 'job.jsonl');
    fs.copyFileSync(path.join(__dirname, '../../main/external/fixtures/torch-loop.jsonl'), file);
    const r = await loupe(['watch', file, '--json'], env);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ name: 'torch-mlp-readme', path: file, status: 'finished', steps: 160, stale: false });
    expect(String(out['run_id'])).toMatch(/^\d{6}-\d{6}-[0-9a-f]{4}$/);
    const runs = JSON.parse((await loupe(['runs', '--json'], env)).stdout) as { id: string; backend: string; external: unknown }[];
    expect(runs.map((x) => [x.id, x.backend])).toEqual([[out['run_id'], 'external']]);
    const missing = await loupe(['watch', path.join(home, 'nope.jsonl')], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^loupe: no such file or folder: /);
  }, 90_000);
});
