// Config input as the CLI and the services read it: an empty file is an error, not the full default run; a
// corpus that is a directory is called a directory, a missing one "not found"; a run length (--steps, --scale)
// rescales warmup, eval and checkpoint cadence with it.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../scheduler/testing/harness.ts';
import { readBaselineConfig, readConfigFile, resolveWithOverrides } from './config-input.ts';
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

describe('resolveWithOverrides run length', () => {
  it('--steps rescales warmup, eval and checkpoint cadence with the steps', () => {
    const c = resolveWithOverrides(readBaselineConfig(), { steps: 100 });
    expect([c.train.steps, c.train.warmup_steps, c.eval.every, c.checkpoint.every]).toEqual([100, 5, 5, 25]);
  });

  it('--scale is the same change given as a factor', () => {
    expect(resolveWithOverrides(readBaselineConfig(), { scale: 0.05 })).toEqual(resolveWithOverrides(readBaselineConfig(), { steps: 100 }));
  });

  it('refuses both at once, and a scale that is not positive', () => {
    expect(() => resolveWithOverrides(readBaselineConfig(), { steps: 100, scale: 0.5 })).toThrow(ServiceError);
    expect(() => resolveWithOverrides(readBaselineConfig(), { scale: 0 })).toThrow(/scale must be a positive number/);
  });
});
