// Optimisation: AdamW with decoupled decay on the groups parameter roles give, global-norm clipping, and the LR schedules.
import { describe, it, expect, beforeAll } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import { tf } from '../tf.ts';
import { learningRate, type ScheduleConfig } from './schedule.ts';
import { clipByGlobalNorm, globalNorm } from './clip.ts';
import { AdamW } from './adamw.ts';
import { decayGroups } from './optimizer.ts';
import type { ParamSpec } from '../../../shared/models/layout.ts';
import { chooseMicroBatch } from '../microbatch.ts';
import { initBackend } from '../backend.ts';
import { ModelConfig } from '../../../shared/config.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('learning-rate schedules', () => {
  const base: ScheduleConfig = { lr: 1e-3, min_lr: 1e-4, warmup_steps: 10, steps: 110, schedule: 'cosine', wsd_decay_fraction: 0.2 };
  it('warms up linearly, then cosine-decays to min_lr', () => {
    expect(learningRate(0, base)).toBeCloseTo(1e-4, 12);
    expect(learningRate(9, base)).toBeCloseTo(1e-3, 12);
    expect(learningRate(10, base)).toBeCloseTo(1e-3, 12);
    expect(learningRate(60, base)).toBeCloseTo(5.5e-4, 12);
    expect(learningRate(110, base)).toBeCloseTo(1e-4, 12);
  });
  it('linear, constant and WSD', () => {
    expect(learningRate(60, { ...base, schedule: 'linear' })).toBeCloseTo(5.5e-4, 12);
    expect(learningRate(100, { ...base, schedule: 'constant' })).toBe(1e-3);
    const wsd = { ...base, schedule: 'wsd' as const };
    expect(learningRate(80, wsd)).toBe(1e-3);
    expect(learningRate(88, wsd)).toBe(1e-3);
    expect(learningRate(99, wsd)).toBeCloseTo(1e-3 - 0.5 * 9e-4, 12);
    expect(learningRate(110, wsd)).toBeCloseTo(1e-4, 12);
  });
});

describe('global-norm clipping', () => {
  it('reports the pre-clip norm and scales only when above the limit', () => {
    const g = new Map<string, tf.Tensor>([['a', tf.tensor([3, 0])], ['b', tf.tensor([[4]])]]);
    const r = clipByGlobalNorm(g, 1);
    expect(r.norm).toBeCloseTo(5, 6);
    expect(r.clipped).toBe(true);
    expect(g.get('a')!.dataSync()[0]).toBeCloseTo(0.6, 5);
    const h = new Map<string, tf.Tensor>([['a', tf.tensor([0.3, 0.4])]]);
    expect(clipByGlobalNorm(h, 1)).toEqual({ norm: expect.closeTo(0.5, 6) as number, clipped: false });
    expect(Array.from(h.get('a')!.dataSync())).toEqual([Math.fround(0.3), Math.fround(0.4)]);
    for (const t of [...g.values(), ...h.values()]) t.dispose();
  });
});

describe('AdamW', () => {
  const layout: ParamSpec[] = [
    { name: 'w', shape: [1, 2], init: { normal: 0.02 }, role: 'matrix', layer: 0 },
    { name: 'b', shape: [2], init: 'zeros', role: 'bias', layer: 0 },
  ];
  const settings = { beta1: 0.9, beta2: 0.95, eps: 1e-8 };

  it('groups parameters by role: matrices and an untied head decay; embeddings, norms and biases do not', () => {
    const roles: ParamSpec[] = (['embedding', 'head', 'norm', 'bias', 'matrix'] as const).map((role) => ({ name: role, shape: [1], init: 'zeros', role, layer: null }));
    expect(decayGroups(roles, 0.1)).toEqual([
      { name: 'decay', params: ['head', 'matrix'], weightDecay: 0.1 },
      { name: 'no_decay', params: ['embedding', 'norm', 'bias'], weightDecay: 0 },
    ]);
  });

  it('decays only the decay group, and its state round-trips', () => {
    const params = new Map([
      ['w', tf.variable(tf.tensor([[1, 1]]))],
      ['b', tf.variable(tf.tensor([1, 1]))],
    ]);
    const opt = new AdamW(params, decayGroups(layout, 0.5), settings);
    const zero = new Map<string, tf.Tensor>([['w', tf.zeros([1, 2])], ['b', tf.zeros([2])]]);
    opt.step(zero, 0.1);
    expect(params.get('w')!.dataSync()[0]).toBeCloseTo(0.95, 6); // p · (1 − lr·wd)
    expect(params.get('b')!.dataSync()[0]).toBe(1);
    const grad = new Map<string, tf.Tensor>([['w', tf.ones([1, 2])], ['b', tf.ones([2])]]);
    opt.step(grad, 0.1);
    const state = opt.state();
    expect(state.step).toBe(2);
    expect([...state.slots.keys()]).toEqual(['exp_avg', 'exp_avg_sq']);
    const copy = new AdamW(params, decayGroups(layout, 0.5), settings);
    copy.load(state);
    expect(copy.state()).toEqual(state);
    for (const t of [...zero.values(), ...grad.values(), ...params.values()]) t.dispose();
    opt.dispose();
    copy.dispose();
  });
});

describe('fused optimizer kernels on wasm', () => {
  /** Five AdamW updates (one decayed matrix, one vector) with clipping; weights, state and norms as plain arrays. */
  async function run(backend: 'wasm' | 'cpu'): Promise<number[][]> {
    await initBackend(backend);
    const rnd = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);
    const params = new Map([
      ['h.0.w', tf.variable(rnd([33, 17], 1))],
      ['h.0.b', tf.variable(rnd([17], 2))],
    ]);
    const layout: ParamSpec[] = [
      { name: 'h.0.w', shape: [33, 17], init: { normal: 0.02 }, role: 'matrix', layer: 0 },
      { name: 'h.0.b', shape: [17], init: 'zeros', role: 'bias', layer: 0 },
    ];
    const opt = new AdamW(params, decayGroups(layout, 0.1), { beta1: 0.9, beta2: 0.99, eps: 1e-8 });
    const norms: number[] = [];
    for (let t = 0; t < 5; t++) {
      const grads = new Map<string, tf.Tensor>([
        ['h.0.w', tf.mul(rnd([33, 17], 10 + t), 0.3)],
        ['h.0.b', rnd([17], 20 + t)],
      ]);
      const { norm } = clipByGlobalNorm(grads, 1);
      norms.push(norm, globalNorm(grads));
      opt.step(grads, 1e-2 * (t + 1));
      for (const g of grads.values()) g.dispose();
    }
    const state = opt.state();
    const out = [norms, ...[...params.values()].map((p) => Array.from(p.dataSync())), ...[...state.slots.values()].flatMap((slot) => [...slot.values()].map((a) => Array.from(a)))];
    for (const p of params.values()) p.dispose();
    opt.dispose();
    await initBackend('cpu');
    return out;
  }

  it('AdamW and the global norm match the cpu backend', async () => {
    const w = await run('wasm');
    const c = await run('cpu');
    expect(w.length).toBe(c.length);
    w.forEach((row, i) => row.forEach((x, j) => expect(Math.abs(x - c[i]![j]!), `[${i}][${j}]`).toBeLessThan(1e-5 * Math.max(1, Math.abs(c[i]![j]!)))));
    // The clip really engaged (pre-clip norm above 1, post-clip norm 1).
    expect(w[0]![0]).toBeGreaterThan(1);
    expect(w[0]![1]).toBeCloseTo(1, 4);
  });
});

describe('automatic micro-batching', () => {
  const spec = (o: object) => ({ ...ModelConfig.parse(o), vocab_size: 256 });
  it('keeps the baseline whole and splits the 10.8M model on wasm', () => {
    expect(chooseMicroBatch(spec({ n_layer: 4, n_head: 4, d_model: 128, block_size: 64 }), 12, 'auto', 'wasm')).toEqual({ microBatch: 12, accumulation: 1 });
    const big = chooseMicroBatch(spec({ n_layer: 6, n_head: 6, d_model: 384, block_size: 256 }), 8, 'auto', 'wasm');
    expect(big.microBatch * big.accumulation).toBe(8);
    expect(big.accumulation).toBeGreaterThan(1);
    expect(chooseMicroBatch(spec({}), 12, 5, 'wasm')).toEqual({ microBatch: 5, accumulation: 3 });
  });
});
