// The memory check: a config that cannot fit its backend is refused with every number named (at validation, and
// once `auto` has picked a backend), and wasm's bare "Aborted()" becomes the same explanation.
import { describe, it, expect } from 'vitest';
import { resolveConfig, type RunConfig, type RunConfigInput } from '../../shared/config.ts';
import { memoryFitIssue, memoryFitProblem, memoryNeed, explainEngineFailure, wasmHeapBytes, type HostFacts } from './memory-fit.ts';
import { Trainer } from './train.ts';
import { readBaselineConfig } from '../services/config-input.ts';

function config(input: RunConfigInput): RunConfig {
  const r = resolveConfig(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

const GiB = 1024 ** 3;
const bigHost: HostFacts = { totalMemory: 64 * GiB, nativeInstalled: true };
const wasmOnlyHost: HostFacts = { totalMemory: 64 * GiB, nativeInstalled: false };
/** The largest model the schema allows. */
const largest = config({ model: { n_layer: 48, d_model: 4096, n_head: 32, block_size: 8192 }, train: { batch_size: 4096 } });
/** ~300M parameters: about 4.8 GB of weights, gradients and AdamW state, over wasm's heap, well inside 64 GiB. */
const medium = config({ model: { n_layer: 24, d_model: 1024, n_head: 16, block_size: 256 }, train: { batch_size: 8 } });

describe('memory fit', () => {
  it('refuses the largest config the schema allows on every backend, naming the numbers', () => {
    for (const backend of ['wasm', 'cpu', 'tensorflow', 'auto'] as const) {
      const problem = memoryFitProblem(largest, backend, { host: bigHost });
      expect(problem, backend).not.toBeNull();
      expect(problem).toMatch(/needs about [\d.]+ GiB \(9\.\d+B parameters: weights [\d.]+ GiB, gradients [\d.]+ GiB, adamw state [\d.]+ GiB, activations [\d.]+ GiB for a micro-batch of 1 × 8192 = 8192 tokens\)/);
    }
    expect(memoryFitProblem(largest, 'wasm', { host: bigHost })).toContain("more than the wasm backend's 4 GiB heap");
    expect(memoryFitProblem(largest, 'cpu', { host: bigHost })).toContain("more than 75% of this machine's 64 GiB of memory (48 GiB) for the cpu backend");
  });

  it('tells wasm from a CPU-side backend; auto is judged by what it can pick here', () => {
    expect(memoryNeed(medium, 'wasm').total).toBeGreaterThan(wasmHeapBytes);
    expect(memoryFitProblem(medium, 'wasm', { host: bigHost })).toContain('4 GiB heap');
    expect(memoryFitProblem(medium, 'cpu', { host: bigHost })).toBeNull();
    expect(memoryFitProblem(medium, 'cpu', { host: { totalMemory: 4 * GiB, nativeInstalled: false } })).toContain("this machine's 4.0 GiB of memory");
    // Without tfjs-node or WebGPU, auto always lands on wasm.
    expect(memoryFitIssue({ ...medium, backend: 'auto' }, wasmOnlyHost)).toMatchObject({ path: 'model', message: expect.stringContaining('4 GiB heap') as string });
    expect(memoryFitIssue({ ...medium, backend: 'auto' }, bigHost)).toBeNull();
  });

  it('lets the baseline through everywhere', () => {
    const baseline = config(readBaselineConfig() as RunConfigInput);
    for (const backend of ['wasm', 'cpu', 'auto']) expect(memoryFitProblem(baseline, backend, { host: wasmOnlyHost }), backend).toBeNull();
  });

  it('refuses in the trainer once auto turned out to be wasm, before building the model', () => {
    const cfg = { ...medium, backend: 'auto' as const, data: { ...medium.data, tokenizer: 'byte' as const } };
    expect(() => new Trainer({ config: cfg, backend: 'wasm', text: 'tiny corpus '.repeat(10) })).toThrow(/needs about .* GiB .* more than the wasm backend's 4 GiB heap/);
  });

  it('turns wasm\u2019s bare "Aborted()" into the same explanation; other messages pass unchanged', () => {
    const aborted = 'Aborted(). Build with -sASSERTIONS for more info.';
    const message = explainEngineFailure(aborted, medium, 'wasm');
    expect(message).toMatch(/^the wasm backend ran out of memory \(Aborted\(\)\): training this model needs about [\d.]+ GiB \(.*parameters: weights/);
    expect(message).toContain("the limit is the wasm backend's 4 GiB heap");
    expect(message).not.toContain('-sASSERTIONS');
    expect(explainEngineFailure(`RuntimeError: ${aborted}`, medium, 'wasm')).toMatch(/^the wasm backend ran out of memory/);
    expect(explainEngineFailure('loss is NaN at step 3', medium, 'wasm')).toBe('loss is NaN at step 3');
  });
});
