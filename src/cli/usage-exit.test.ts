// Usage errors exit 2 in every command: a missing argument, an unknown command or option, a bad option value, a
// config that is missing or invalid. Help and version exit 0. Nothing is created by any of them.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../main/scheduler/testing/harness.ts';
import { loupe } from './testing.ts';

describe('loupe usage errors', () => {
  it('exit 2 in every command, with a message, and create nothing', async () => {
    const home = tempDir();
    const invalid = path.join(home, 'invalid.yaml');
    fs.writeFileSync(invalid, 'train:\n  lr: -1\n');
    const cases: string[][] = [
      [],
      ['bogus'],
      ['baseline', '--steps', '0'],
      ['train'],
      ['train', invalid],
      ['resume'],
      ['runs', '--bogus'],
      ['show'],
      ['export', 'x'],
      ['alerts'],
      ['backup'],
      ['serve', '--port', '70000'],
      ['sample', 'x', '--prompt', 'a', '--temperature', '99'],
      ['sweep', invalid],
      ['compare', 'a', '--at', 'worst'],
      ['archive'],
      ['delete', 'x'],
    ];
    const results = [];
    // Two at a time: each is a Node process starting tsx.
    for (let i = 0; i < cases.length; i += 2) results.push(...(await Promise.all(cases.slice(i, i + 2).map((args) => loupe(args, { LOUPE_HOME: home })))));
    results.forEach((r, i) => {
      const what = `loupe ${cases[i]!.join(' ')}: ${r.stderr}`;
      expect(r.code, what).toBe(2);
      expect(r.stderr.trim(), what).not.toBe('');
      expect(r.stderr, what).not.toMatch(/\n\s+at /);
    });
    expect(fs.existsSync(path.join(home, 'loupe.db'))).toBe(false);
  }, 180_000);

  it('help and version exit 0', async () => {
    for (const args of [['--version'], ['train', '--help']]) expect((await loupe(args, { LOUPE_HOME: tempDir() })).code).toBe(0);
  }, 60_000);
});
