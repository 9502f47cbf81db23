// A checkpoint written by the version-1 engine (AdamW state as exp_avg.* / exp_avg_sq.*) still resumes: three more
// steps on wasm reach the weights that engine reached itself, bit for bit.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../backend.ts';
import { Trainer } from '../train.ts';
import { tinyText } from '../testing/tiny.ts';
import { loadCheckpoint } from './checkpoint.ts';
import { decodeSafetensors } from './safetensors.ts';

const fixture = join(import.meta.dirname, 'testing', 'v1');
const checkpoint = join(fixture, 'step-00000003');

beforeAll(async () => {
  await initBackend('wasm');
});

describe('version-1 checkpoint', () => {
  it('resumes to the weights the version-1 engine reached', () => {
    const { state } = loadCheckpoint(checkpoint);
    expect(state.version).toBe(1);
    const trainer = new Trainer({ config: state.config, backend: 'wasm', text: tinyText(), resumeFrom: checkpoint });
    expect(trainer.step).toBe(3);
    for (let i = 0; i < 3; i++) trainer.trainStep();
    const got = trainer.snapshot();
    trainer.dispose();
    const expected = decodeSafetensors(readFileSync(join(fixture, 'expected-step-6.safetensors')), 'expected').tensors;
    expect([...got.keys()]).toEqual([...expected.keys()]);
    const bytes = (f: Float32Array): Buffer => Buffer.from(f.buffer, f.byteOffset, f.byteLength);
    for (const [name, t] of expected) expect(bytes(got.get(name)!).equals(bytes(t.data)), name).toBe(true);
  });
});
