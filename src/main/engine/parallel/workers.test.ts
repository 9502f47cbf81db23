// The default worker count: cores, batch and free memory bound it; train.workers overrides; other backends get one.
import { describe, expect, it } from 'vitest';
import { chooseWorkers } from './workers.ts';
import { tinyConfig } from '../testing/tiny.ts';

const GiB = 1024 ** 3;
const roomy = { cores: 8, freeMemory: 64 * GiB };

describe('chooseWorkers', () => {
  // The default baseline's shape: ~3.8 GFLOP a step.
  const baseline = (batch: number): ReturnType<typeof tinyConfig> => tinyConfig({ model: { n_layer: 4, n_head: 4, d_model: 128, block_size: 64 }, train: { batch_size: batch } });

  it('takes one worker per core by default, no more than the batch has sequences', () => {
    expect(chooseWorkers(baseline(12), 'wasm', 256, roomy)).toEqual({ workers: 8, why: 'auto: 8 cores' });
    expect(chooseWorkers(baseline(4), 'wasm', 256, roomy)).toEqual({ workers: 4, why: 'auto: batch_size 4' });
    expect(chooseWorkers(baseline(12), 'cpu', 256, { cores: 1, freeMemory: 64 * GiB }).workers).toBe(1);
  });

  it('takes one worker for a model whose step is too small to share', () => {
    expect(chooseWorkers(tinyConfig({ train: { batch_size: 12 } }), 'wasm', 256, roomy)).toEqual({ workers: 1, why: 'auto: a step too small to share' });
    // Asking still gets them (tests and benchmarks of the machinery itself).
    expect(chooseWorkers(tinyConfig({ train: { batch_size: 12, workers: 2 } }), 'wasm', 256, roomy).workers).toBe(2);
  });

  it('takes fewer when free memory cannot hold a replica per core', () => {
    // 6 × 384 at block 256: ~0.5 GB per replica with its activations and overhead.
    const big = tinyConfig({ model: { n_layer: 6, n_head: 6, d_model: 384, block_size: 256 }, train: { batch_size: 16 } });
    const got = chooseWorkers(big, 'wasm', 256, { cores: 8, freeMemory: 2 * GiB });
    expect(got.workers).toBeGreaterThanOrEqual(1);
    expect(got.workers).toBeLessThan(8);
    expect(got.why).toBe('auto: free memory');
  });

  it('honours train.workers, capped at the batch, and gives native and WebGPU backends one', () => {
    expect(chooseWorkers(tinyConfig({ train: { batch_size: 12, workers: 3 } }), 'wasm', 256, roomy)).toEqual({ workers: 3, why: 'train.workers 3' });
    expect(chooseWorkers(tinyConfig({ train: { batch_size: 4, workers: 6 } }), 'wasm', 256, roomy).workers).toBe(4);
    expect(chooseWorkers(tinyConfig({ train: { workers: 4 } }), 'webgpu', 256, roomy)).toEqual({ workers: 1, why: 'train.workers applies to wasm and cpu; webgpu runs one worker' });
  });
});
