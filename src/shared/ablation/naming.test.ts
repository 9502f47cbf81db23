// Run names derived from config diffs.
import { describe, expect, it } from 'vitest';
import { RunConfig } from '../config.ts';
import { diffConfigs } from './diff.ts';
import { changeLabel, fieldAlias, formatCompactNumber, seededRunName, suggestRunName } from './naming.ts';

const base = RunConfig.parse({});
const nameFor = (patch: Parameters<typeof RunConfig.parse>[0]) => suggestRunName(diffConfigs(base, RunConfig.parse(patch)));

describe('formatCompactNumber', () => {
  it.each([
    [3e-4, '3e-4'],
    [0.001, '1e-3'],
    [6e-4, '6e-4'],
    [1.5e-3, '1.5e-3'],
    [1e-8, '1e-8'],
    [0.01, '0.01'],
    [0.1, '0.1'],
    [0.95, '0.95'],
    [0.1 + 0.2, '0.3'],
    [200, '200'],
    [12, '12'],
    [0, '0'],
    [2000, '2k'],
    [2500, '2500'],
    [3_000_000, '3M'],
    [-0.5, '-0.5'],
  ])('%s → %s', (n, expected) => {
    expect(formatCompactNumber(n)).toBe(expected);
  });
});

describe('suggestRunName', () => {
  it('names the issue example: lr 1e-3→3e-4 and warmup 100→200', () => {
    expect(nameFor({ train: { lr: 3e-4, warmup_steps: 200 } })).toBe('lr3e-4-warmup200');
  });

  it('uses short aliases for common fields', () => {
    expect(nameFor({ model: { n_layer: 6, d_model: 256, n_head: 8 } })).toBe('L6-H8-d256');
    expect(nameFor({ train: { batch_size: 32, weight_decay: 0 } })).toBe('bs32-wd0');
    expect(nameFor({ model: { block_size: 128, dropout: 0.2 } })).toBe('T128-drop0.2');
    expect(fieldAlias('alerts.spike_sigma')).toBe('spikesigma');
  });

  it('names enum changes by their value, booleans by on/off, corpus by file name', () => {
    expect(nameFor({ train: { optimizer: 'muon', schedule: 'wsd' } })).toBe('muon-wsd');
    expect(nameFor({ model: { bias: false } })).toBe('nobias');
    expect(nameFor({ data: { corpus: '/home/me/data/tiny_shakespeare.txt' } })).toBe('tiny_shakespeare');
    expect(nameFor({ train: { micro_batch_size: 4 } })).toBe('mbs4');
    expect(nameFor({ model: { moe: {} } })).toBe('experts4-topk2');
  });

  it('ignores seed and name, and falls back to "baseline" when nothing else changed', () => {
    expect(nameFor({ seed: 3, name: 'whatever' })).toBe('baseline');
    expect(nameFor({ seed: 3, train: { lr: 6e-4 } })).toBe('lr6e-4');
    expect(suggestRunName([], { fallback: 'base' })).toBe('base');
  });

  it('stays within maxLength, cutting at a part boundary, and is a valid run name', () => {
    const diff = diffConfigs(base, RunConfig.parse({ train: { lr: 3e-4, warmup_steps: 200, beta2: 0.95, weight_decay: 0.05, grad_clip: 0.5 } }));
    const name = suggestRunName(diff, { maxLength: 24 });
    expect(name.length).toBeLessThanOrEqual(24);
    expect(name).toBe('lr3e-4-warmup200-b2_0.95');
    expect(suggestRunName(diff, { maxLength: 23 })).toBe('lr3e-4-warmup200');
    expect(RunConfig.shape.name.safeParse(suggestRunName(diff)).success).toBe(true);
    expect(changeLabel({ path: 'train.lr', from: 1e-3, to: 3e-4 })).toBe('lr3e-4');
    expect(seededRunName('lr3e-4', 1338)).toBe('lr3e-4-s1338');
  });
});
