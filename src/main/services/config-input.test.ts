// Config input as the CLI and the services read it: an empty file is an error, not the full default run; a
// corpus that is a directory is called a directory, a missing one "not found".
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../scheduler/testing/harness.ts';
import { readConfigFile, resolveWithOverrides } from './config-input.ts';
import { ServiceError } from './errors.ts';

function failure(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ServiceError) return e;
    throw e;
  }
  throw new Error('expected a ServiceError');
}

describe('config input', () => {
  it('refuses an empty config file (or one of only comments) instead of training the defaults', () => {
    const dir = tempDir();
    for (const [name, text] of [['empty.yaml', ''], ['blank.yml', '\n  \n'], ['comments.yaml', '# nothing yet\n'], ['empty.json', ' \n']]) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      const e = failure(() => readConfigFile(file));
      expect(e.code, name).toBe('bad_request');
      expect(e.message, name).toContain(`config ${file} is empty`);
      expect(e.message, name).toContain('loupe baseline');
    }
    const one = path.join(dir, 'one.yaml');
    fs.writeFileSync(one, 'name: my-run\n');
    expect(readConfigFile(one)).toEqual({ name: 'my-run' });
  });

  it('names a directory given as the corpus as a directory, and a missing one as not found', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'texts'));
    const asDir = failure(() => resolveWithOverrides({ data: { corpus: path.join(dir, 'texts') } }));
    expect(asDir.message).toContain(`dataset ${path.join(dir, 'texts')} is a directory`);
    expect(asDir.message).not.toContain('not found');
    expect(asDir.issues).toEqual([{ path: 'data.corpus', message: expect.stringContaining('is a directory') as string }]);
    const missing = failure(() => resolveWithOverrides({ data: { corpus: path.join(dir, 'nope.txt') } }));
    expect(missing.message).toBe(`dataset file ${path.join(dir, 'nope.txt')} not found (data.corpus)`);
    fs.writeFileSync(path.join(dir, 'ok.txt'), 'hello world '.repeat(100));
    expect(resolveWithOverrides({ data: { corpus: path.join(dir, 'ok.txt') } }).data.corpus).toBe(path.join(dir, 'ok.txt'));
  });
});
