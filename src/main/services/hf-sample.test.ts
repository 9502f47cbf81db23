// Sampling a Hugging Face folder from elsewhere: a checkpoint exported as a plain HF GPT-2 folder (no state.json)
// generates exactly what the Loupe checkpoint it came from generates; folders of other families fail with one line.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServices, type Services } from '../services.ts';
import { exportHfModel } from '../engine/checkpoint/checkpoint.ts';
import { sampleFixture, type SampleFixture } from './sample-testing.ts';

let fx: SampleFixture;
let services: Services;

beforeAll(async () => {
  fx = await sampleFixture({ steps: [8] });
  services = await createServices({ dataDir: fx.dataDir, monitorFactory: null });
}, 120_000);
afterAll(async () => {
  await services?.close();
  if (fx) rmSync(fx.dataDir, { recursive: true, force: true });
});

describe('sampling a Hugging Face folder', () => {
  it('generates the same text as the Loupe checkpoint it was exported from', async () => {
    const hf = join(fx.dataDir, 'elsewhere', 'step-8');
    exportHfModel(fx.checkpointPaths[0]!, hf);
    const settings = { maxTokens: 20, temperature: 0 };
    const original = await services.samples.generate({ target: { runId: fx.runId, step: 8 }, prompt: 'the whale', settings }).done;
    const h = services.samples.generate({ target: { path: hf }, prompt: 'the whale', settings });
    expect(h.checkpoint).toEqual({ runId: '', runName: 'step-8', step: 8 });
    const foreign = await h.done;
    expect(foreign.text).toBe(original.text);
    expect(foreign.diagnostics.memorization).toBeNull();
  }, 120_000);

  it('a folder of another family is one clear error', () => {
    const llama = join(fx.dataDir, 'llama');
    mkdirSync(llama);
    writeFileSync(join(llama, 'config.json'), JSON.stringify({ model_type: 'llama', vocab_size: 32000 }));
    writeFileSync(join(llama, 'model.safetensors'), Buffer.alloc(16));
    expect(() => services.samples.generate({ target: { path: llama }, prompt: 'x', settings: {} })).toThrow(/"llama" model; Loupe loads Hugging Face GPT-2 folders/);
  });
});
