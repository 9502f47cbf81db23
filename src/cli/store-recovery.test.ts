// The CLI on a damaged data folder: every command that opens the database refuses with one line naming the file
// and the way back, writes nothing, and `loupe backup` still copies it; an empty LOUPE_HOME is a usage error.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../main/scheduler/testing/harness.ts';
import { damagedHome } from '../main/store/testing/damage.ts';
import { loupe } from './testing.ts';

describe('loupe on a damaged database', () => {
  it('runs and train refuse with the file named and nothing written; backup copies it', async () => {
    const { home, file } = damagedHome();
    const before = fs.readFileSync(file);
    const runs = await loupe(['runs'], { LOUPE_HOME: home });
    expect(runs.code).toBe(1);
    expect(runs.stderr.trim().split('\n')).toHaveLength(1);
    expect(runs.stderr).toContain(file);
    expect(runs.stderr).toContain('loupe backup');
    const train = await loupe(['baseline', '--steps', '1'], { LOUPE_HOME: home });
    expect(train.code).toBe(1);
    expect(train.stderr).toContain(file);
    expect(fs.readFileSync(file).equals(before)).toBe(true);

    const copy = path.join(tempDir(), 'copy.db');
    const backup = await loupe(['backup', copy], { LOUPE_HOME: home });
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toBe(`wrote ${copy}\n`);
    expect(fs.statSync(copy).size).toBe(before.length);
  });

  it('LOUPE_HOME set but empty is a usage error, not the real app-data folder', async () => {
    const r = await loupe(['runs'], { LOUPE_HOME: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^loupe: LOUPE_HOME is set but empty/);
    expect(r.stdout).toBe('');
  });
});
