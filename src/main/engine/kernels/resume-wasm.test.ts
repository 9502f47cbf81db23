// Resume on wasm, where our own kernels run: N straight steps equal N/2 + save + load + N/2, bit for bit
// (dropout on, so the dropout RNG stream is part of what a checkpoint must carry).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../backend.ts';
import { Trainer } from '../train.ts';
import { tinyConfig, tinyText } from '../testing/tiny.ts';
import type { RunConfigInput } from '../../../shared/config.ts';

const text = tinyText();
const o: RunConfigInput = { seed: 5, data: { tokenizer: 'char' }, model: { n_layer: 2, n_head: 2, d_model: 32, block_size: 16, dropout: 0.1 } };
const make = (resumeFrom: string | null = null): Trainer => new Trainer({ config: tinyConfig(o), backend: 'wasm', text, resumeFrom });

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'loupe-resume-wasm-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resume on wasm', () => {
  it('N straight = N/2 + save + load + N/2, bit for bit', () => {
    const straight = make();
    for (let i = 0; i < 6; i++) straight.trainStep();
    const a = straight.snapshot();
    straight.dispose();

    const first = make();
    for (let i = 0; i < 3; i++) first.trainStep();
    const saved = first.saveCheckpoint(join(dir, 'half'));
    first.dispose();
    const second = make(saved.path);
    expect(second.step).toBe(3);
    for (let i = 0; i < 3; i++) second.trainStep();
    const b = second.snapshot();
    second.dispose();

    expect([...b.keys()]).toEqual([...a.keys()]);
    const bytes = (f: Float32Array): Buffer => Buffer.from(f.buffer, f.byteOffset, f.byteLength);
    for (const [name, v] of a) expect(bytes(b.get(name)!).equals(bytes(v)), name).toBe(true);
  });
});
