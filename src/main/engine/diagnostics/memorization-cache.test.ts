// The on-disk cache: built once, loaded after, rebuilt when corrupt, and keyed only by safe names.
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrBuildMemorizationIndex, memorizationCachePath } from './memorization-cache.ts';

const dir = mkdtempSync(join(tmpdir(), 'loupe-memx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const train = Array.from(new TextEncoder().encode('It is not down in any map; true places never are.'));

describe('loadOrBuildMemorizationIndex', () => {
  it('builds once, then loads the same index from disk', async () => {
    let builds = 0;
    const tokens = () => {
      builds++;
      return train;
    };
    const first = await loadOrBuildMemorizationIndex(dir, 'abc123', tokens);
    const second = await loadOrBuildMemorizationIndex(dir, 'abc123', tokens);
    expect([first.fromCache, second.fromCache, builds]).toEqual([false, true, 1]);
    const query = Array.from(new TextEncoder().encode('true places'));
    expect(second.index.longestMatch(query)).toEqual(first.index.longestMatch(query));
    expect(second.index.longestMatch(query).length).toBe(query.length);
  });

  it('rebuilds a corrupt cache file', async () => {
    writeFileSync(memorizationCachePath(dir, 'broken'), new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    const r = await loadOrBuildMemorizationIndex(dir, 'broken', () => train);
    expect(r.fromCache).toBe(false);
    expect((await loadOrBuildMemorizationIndex(dir, 'broken', () => train)).fromCache).toBe(true);
  });

  it('refuses hashes that are not plain file names', () => {
    expect(() => memorizationCachePath(dir, '../escape')).toThrow(/not a safe file name/);
  });
});
