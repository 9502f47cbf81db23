// The data folder: LOUPE_HOME wins; otherwise the folder Electron's userData uses for "Loupe" on each platform.
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { checkpointDir, dbPath, DataDirError, resolveDataDir } from './paths.ts';

describe('data folder', () => {
  it('uses LOUPE_HOME when set', () => {
    expect(resolveDataDir({ env: { LOUPE_HOME: '/data/loupe' }, platform: 'linux', home: '/home/u' })).toBe(path.resolve('/data/loupe'));
  });
  it('refuses a LOUPE_HOME that is set but empty, naming the folder it would otherwise have used', () => {
    for (const LOUPE_HOME of ['', '   ']) {
      expect(() => resolveDataDir({ env: { LOUPE_HOME }, platform: 'linux', home: '/home/u' })).toThrow(DataDirError);
    }
    expect(() => resolveDataDir({ env: { LOUPE_HOME: '' }, platform: 'linux', home: '/home/u' })).toThrow(
      `LOUPE_HOME is set but empty: set it to a folder, or unset it to use ${path.join('/home/u', '.config', 'Loupe')}`,
    );
  });
  it('follows Electron userData per platform', () => {
    expect(resolveDataDir({ env: {}, platform: 'linux', home: '/home/u' })).toBe(path.join('/home/u', '.config', 'Loupe'));
    expect(resolveDataDir({ env: { XDG_CONFIG_HOME: '/x' }, platform: 'linux', home: '/home/u' })).toBe(path.join('/x', 'Loupe'));
    expect(resolveDataDir({ env: {}, platform: 'darwin', home: '/Users/u' })).toBe(path.join('/Users/u', 'Library', 'Application Support', 'Loupe'));
    expect(resolveDataDir({ env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, platform: 'win32', home: 'C:\\Users\\u' })).toBe(
      path.join('C:\\Users\\u\\AppData\\Roaming', 'Loupe'),
    );
  });
  it('keeps the database and checkpoints side by side', () => {
    expect(dbPath('/d')).toBe(path.join('/d', 'loupe.db'));
    expect(checkpointDir('/d', 'r1')).toBe(path.join('/d', 'runs', 'r1', 'checkpoints'));
  });
});
