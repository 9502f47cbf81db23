// A dataset that is empty, not UTF-8 text, or too short for the block is refused before the run row exists, with
// data.corpus named (as a bad config is), so no `failed` run is left behind.
import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { Services } from '../services.ts';
import { ServiceError } from './errors.ts';
import { scriptedServices, tempDir, tinyConfig } from '../scheduler/testing/harness.ts';

let open: Services[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

function corpus(name: string, content: string | Buffer): string {
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, content);
  return file;
}

async function refused(data: Record<string, unknown>, block: number, message: RegExp): Promise<void> {
  const s = await scriptedServices();
  open.push(s);
  const base = tinyConfig('bad data', 10);
  let err: unknown;
  try {
    s.runs.start({ config: { ...base, model: { ...base.model, block_size: block }, data } });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ServiceError);
  const e = err as ServiceError;
  expect(e.code).toBe('bad_request');
  expect(e.issues?.[0]?.path).toBe('data.corpus');
  expect(e.message).toMatch(message);
  expect(s.runs.list({ includeArchived: true })).toEqual([]);
}

describe('dataset content is checked before a run is created', () => {
  it('refuses an empty file', async () => {
    await refused({ corpus: corpus('empty.txt', '') }, 16, /empty/);
  });

  it('refuses a file that is not UTF-8 text', async () => {
    await refused({ corpus: corpus('latin1.txt', Buffer.from([0x43, 0x61, 0x6c, 0x6c, 0x20, 0xe9, 0x74, 0xe9, 0x0a].concat(Array(200).fill(0x61)))) }, 16, /not valid UTF-8/);
  });

  it('refuses a corpus too short for one block in the validation split, naming the block size and the count', async () => {
    await refused({ corpus: corpus('short.txt', 'Call me Ishmael. '.repeat(20)) }, 64, /too short for model\.block_size 64: 340 byte tokens in all, so the validation split has 34 tokens/);
    await refused({ corpus: corpus('short-chars.txt', 'é'.repeat(300)), tokenizer: 'char' }, 64, /300 char tokens/);
  });

  it('accepts a corpus that fills the block in both splits', async () => {
    const s = await scriptedServices();
    open.push(s);
    const run = s.runs.start({ config: { ...tinyConfig('enough data', 10), data: { corpus: corpus('ok.txt', 'Call me Ishmael. '.repeat(200)) } } });
    expect((await s.runs.waitForEnd(run.id)).status).toBe('finished');
  });
});
