// Ablation services over a real store: sweeps trained by the scripted engine (groups, names, baseline links),
// compare tables from stored val losses (replicates, verdicts, default baseline), and located errors.
import { describe, it, expect, afterAll } from 'vitest';
import { resolveConfig, type RunConfig, type RunConfigInput } from '../../shared/config.ts';
import { welchTTest } from '../../shared/ablation/stats.ts';
import { requests } from '../../shared/api/index.ts';
import { scriptedServices, tinyConfig } from '../scheduler/testing/harness.ts';
import { ServiceError } from './errors.ts';
import { createDispatcher } from '../api/dispatcher.ts';
import { ablationHandlers } from '../api/ablation-handlers.ts';
import type { Services } from '../services.ts';

const services = await scriptedServices();
afterAll(() => services.close());
const ablation = services.ablation;
const dispatcher = createDispatcher(ablationHandlers(services));

function resolved(input: RunConfigInput): RunConfig {
  const r = resolveConfig(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

/** A finished run with the given val losses (the last is its final), stored without training. */
function storedRun(
  s: Services,
  o: { name: string; lr?: number; seed: number; group?: string; baselineId?: string; val: number[]; status?: 'finished' | 'stopped'; alerts?: RunConfigInput['alerts'] },
): string {
  const config = resolved({ ...tinyConfig(o.name, 30), seed: o.seed, train: { steps: 30, warmup_steps: 0, batch_size: 2, lr: o.lr ?? 6e-4 }, alerts: o.alerts });
  const run = s.store.runs.create({ name: o.name, config, groupName: o.group ?? null, baselineId: o.baselineId ?? null, status: o.status ?? 'finished' });
  s.store.metrics.insert(run.id, 1, 0, o.val.map((value, i) => ({ step: (i + 1) * 10, key: 'val/loss', value })));
  return run.id;
}

function failure(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ServiceError) return e;
    throw e;
  }
  throw new Error('expected a ServiceError');
}

describe('ablation.sweep', () => {
  it('queues one run per value × seed in a named group linked to the baseline, and trains them one after another', async () => {
    const baseline = services.runs.start({ config: tinyConfig('base ms=1', 20) });
    await services.runs.waitForEnd(baseline.id);
    const sweep = ablation.sweep({ vary: 'train.lr=1e-3,3e-4', seeds: 2, baselineId: baseline.id.slice(-4), hypothesis: 'lower lr helps', dryRun: false });
    expect(sweep.group).toBe('sweep-lr');
    expect(sweep.baselineId).toBe(baseline.id);
    expect(sweep.field).toBe('train.lr');
    expect(sweep.values).toEqual([1e-3, 3e-4]);
    expect(sweep.seeds).toEqual([1337, 1338]);
    expect(sweep.runs.map((r) => r.name)).toEqual(['lr1e-3-s1337', 'lr1e-3-s1338', 'lr3e-4-s1337', 'lr3e-4-s1338']);
    expect(sweep.runs.every((r) => r.groupName === 'sweep-lr' && r.baselineId === baseline.id && r.hypothesis === 'lower lr helps')).toBe(true);
    expect(sweep.warnings).toEqual([]);
    // Swept from the baseline's config: each run differs from it in lr (and seed/name) only.
    expect(sweep.planned[2].changes.map((c) => c.path).sort()).toEqual(['name', 'train.lr']);
    const ends = await Promise.all(sweep.runs.map((r) => services.runs.waitForEnd(r.id)));
    expect(ends.map((r) => r.status)).toEqual(['finished', 'finished', 'finished', 'finished']);
    // Concurrency 1: each run starts after the previous one ended.
    for (let i = 1; i < ends.length; i++) expect(ends[i].startedAt!).toBeGreaterThanOrEqual(ends[i - 1].endedAt!);
    expect(services.store.runs.config(sweep.runs[3].id).train.lr).toBe(3e-4);
    expect(services.store.runs.config(sweep.runs[3].id).seed).toBe(1338);

    // A second sweep over the same field gets a fresh group name; compare finds the baseline from the links.
    const again = ablation.sweep({ vary: { field: 'train.lr', values: ['2e-4'] }, seeds: [7], baselineId: baseline.id, dryRun: true });
    expect(again).toMatchObject({ group: 'sweep-lr-2', values: [2e-4], seeds: [7], runs: [] });
    expect(again.planned.map((p) => p.name)).toEqual(['lr2e-4-s7']);

    const cmp = ablation.compare({ groups: ['sweep-lr'], metric: 'final', alpha: 0.05, curveKeys: ['val/loss'] });
    expect(cmp.baseline).toEqual({ runId: baseline.id });
    expect(cmp.table.rows).toHaveLength(3);
    const base = cmp.table.rows.find((r) => r.isBaseline)!;
    expect(base.runIds).toEqual([baseline.id]);
    const variants = cmp.table.rows.filter((r) => !r.isBaseline);
    // lr 1e-3 is the baseline's own lr: that row is the baseline's config re-run inside the sweep.
    expect(variants.map((r) => r.label).sort()).toEqual(['sweep-lr/lr1e-3', 'sweep-lr/lr3e-4']);
    // One baseline seed: no p-value yet.
    expect(variants.every((r) => r.verdict === 'needs seeds' && r.runIds.length === 2)).toBe(true);
    expect(cmp.curves.map((c) => c.runId).sort()).toEqual([baseline.id, ...sweep.runs.map((r) => r.id)].sort());
    expect(cmp.curves[0].series[0].key).toBe('val/loss');
    expect(requests['ablation.compare'].result.safeParse(cmp).success).toBe(true);

    const groups = ablation.groups();
    expect(requests['ablation.groups'].result.safeParse(groups).success).toBe(true);
    expect(groups.map((g) => g.name)).toEqual(['sweep-lr']);
    expect(groups[0]).toMatchObject({ runCount: 4, statusCounts: { finished: 4 }, done: true, baselineId: baseline.id, variedFields: ['train.lr'], seeds: [1337, 1338] });
  });

  it('without a field, queues seed replicates of the base config named after it', () => {
    const sweep = ablation.sweep({ config: tinyConfig('ref', 10), seeds: 3, dryRun: true });
    expect(sweep.group).toBe('seeds-ref');
    expect(sweep.field).toBeNull();
    expect(sweep.planned.map((p) => p.name)).toEqual(['ref-s1337', 'ref-s1338', 'ref-s1339']);
  });

  it('rejects bad input with the failing param named, and queues nothing', () => {
    const before = services.runs.list({ includeArchived: true }).length;
    const cfg = tinyConfig('x', 10);
    expect(failure(() => ablation.sweep({ config: cfg, vary: 'train.lrr=1e-3', seeds: 3, dryRun: false }))).toMatchObject({
      code: 'bad_request',
      issues: [{ path: 'vary', message: expect.stringContaining('did you mean "train.lr"') }],
    });
    expect(failure(() => ablation.sweep({ config: cfg, vary: 'train.lr=fast', seeds: 3, dryRun: false })).issues?.[0].path).toBe('vary');
    expect(failure(() => ablation.sweep({ config: cfg, vary: { field: 'train.lr', values: [1e-3, '0.001'] }, seeds: 3, dryRun: false })).issues?.[0]).toMatchObject({
      path: 'vary.values.1',
      message: expect.stringContaining('twice'),
    });
    expect(failure(() => ablation.sweep({ config: cfg, vary: 'seed=1,2', seeds: 3, dryRun: false })).issues?.[0].path).toBe('vary');
    expect(failure(() => ablation.sweep({ config: cfg, vary: 'train.lr=1e-3', seeds: [1, 1], dryRun: false })).issues?.[0].path).toBe('seeds');
    expect(failure(() => ablation.sweep({ config: 'model:\n  n_layer: -1\n', vary: 'train.steps=5,10', seeds: 1, dryRun: false }))).toMatchObject({
      code: 'bad_request',
      issues: [{ path: 'config.model.n_layer' }],
      message: expect.stringContaining('line 2: model.n_layer'),
    });
    expect(failure(() => ablation.sweep({ vary: 'train.lr=1e-3', seeds: 1, dryRun: false })).issues?.[0].path).toBe('config');
    expect(failure(() => ablation.sweep({ config: cfg, vary: 'train.lr=1e-3', seeds: 1, baselineId: 'nope', dryRun: false }))).toMatchObject({
      code: 'not_found',
      issues: [{ path: 'baselineId' }],
    });
    expect(failure(() => ablation.sweep({ config: cfg, vary: 'train.lr=1e-3', seeds: 1, group: 'sweep-lr', dryRun: false })).code).toBe('conflict');
    expect(failure(() => ablation.sweep({ config: cfg, vary: 'data.corpus=moby-dick,/no/such/file.txt', seeds: 1, dryRun: false }))).toMatchObject({
      code: 'bad_request',
      issues: [{ path: 'vary', message: expect.stringContaining('/no/such/file.txt not found') }],
    });
    // The small value fits wasm's heap, the large one does not: nothing of the sweep is queued.
    const sizes = { ...cfg, backend: 'wasm' as const, model: { n_layer: 24, n_head: 16, d_model: 64, block_size: 256 } };
    expect(failure(() => ablation.sweep({ config: sizes, vary: 'model.d_model=64,1024', seeds: 1, dryRun: false }))).toMatchObject({
      code: 'bad_request',
      issues: [{ path: 'vary', message: expect.stringMatching(/^d1024-s\d+: training this model needs about [\d.]+ GiB .* more than the wasm backend's 4 GiB heap/) as string }],
    });
    expect(services.runs.list({ includeArchived: true })).toHaveLength(before);
  });

  it('answers through the dispatcher with field paths for invalid params', async () => {
    const reply = await dispatcher.dispatch('ablation.sweep', { config: {}, vary: 'train.lr=1e-3', seeds: 0 });
    expect(reply).toMatchObject({ ok: false, error: { code: 'bad_request', issues: [{ path: 'seeds' }] } });
    const vary = await dispatcher.dispatch('ablation.sweep', { config: {}, vary: 'model=1' });
    expect(vary).toMatchObject({ ok: false, error: { code: 'bad_request', issues: [{ path: 'vary', message: expect.stringContaining('group of fields') }] } });
    const plan = await dispatcher.dispatch('ablation.sweep', { config: 'model:\n  n_layer: 1\n', steps: 50, vary: 'model.n_layer=2,4', seeds: 1, dryRun: true });
    expect(plan).toMatchObject({ ok: true, result: { group: 'sweep-L', planned: [{ name: 'L2-s1337' }, { name: 'L4-s1337' }] } });
    expect(plan.ok && requests['ablation.sweep'].result.safeParse(plan.result).success).toBe(true);
  });
});

describe('ablation.compare', () => {
  it('pools seed replicates, adds the baseline replicates, and marks significant and within-noise rows', async () => {
    const s = await scriptedServices();
    try {
      const b1 = storedRun(s, { name: 'ref', seed: 1, val: [2.5, 2.0] });
      storedRun(s, { name: 'ref', seed: 2, val: [2.5, 2.03] });
      // Other alert thresholds (a newer default, say) do not make another experiment.
      storedRun(s, { name: 'ref', seed: 3, val: [2.5, 1.98], alerts: { overfit_gap: 0.9 } });
      storedRun(s, { name: 'other-steps', seed: 4, lr: 6e-4, val: [9] , group: 'unrelated' });
      const low = [1.8, 1.82, 1.79];
      const same = [2.01, 1.99, 2.02];
      low.forEach((v, i) => storedRun(s, { name: `lr1e-3-s${i}`, lr: 1e-3, seed: i + 1, group: 'sweep-lr', baselineId: b1, val: [3, v] }));
      same.forEach((v, i) => storedRun(s, { name: `lr5e-4-s${i}`, lr: 5e-4, seed: i + 1, group: 'sweep-lr', baselineId: b1, val: [3, v] }));
      storedRun(s, { name: 'lr5e-4-cut', lr: 5e-4, seed: 9, group: 'sweep-lr', baselineId: b1, val: [3], status: 'stopped' });

      const cmp = s.ablation.compare({ groups: ['sweep-lr'], metric: 'final', alpha: 0.05, curveKeys: [] });
      const byLabel = new Map(cmp.table.rows.map((r) => [r.label, r]));
      const base = cmp.table.rows.find((r) => r.isBaseline)!;
      expect(base.seeds).toEqual([1, 2, 3]);
      expect(base.final.values).toEqual([2.0, 2.03, 1.98]);
      const lowRow = byLabel.get('sweep-lr/lr1e-3')!;
      expect(lowRow.verdict).toBe('significant');
      expect(lowRow.p).toBeCloseTo(welchTTest(low, [2.0, 2.03, 1.98])!.p, 12);
      expect(lowRow.final.delta).toBeCloseTo(low.reduce((a, b) => a + b) / 3 - (2.0 + 2.03 + 1.98) / 3, 12);
      expect(byLabel.get('sweep-lr/lr5e-4')!.verdict).toBe('within noise');
      expect(cmp.table.rows[0]).toBe(lowRow);
      expect(cmp.table.noiseBand).toMatchObject({ n: 3 });
      expect(cmp.table.warnings.some((w) => w.includes('lr5e-4-cut: stopped'))).toBe(true);
      expect(cmp.runs.find((r) => r.name === 'lr5e-4-cut')).toMatchObject({ finalValLoss: null, status: 'stopped' });
      expect(cmp.runs.some((r) => r.name === 'other-steps')).toBe(false);

      // Best instead of final; a group baseline; targets resolved by group name first.
      const best = s.ablation.compare({ groups: ['sweep-lr'], baseline: { runId: b1 }, metric: 'best', alpha: 0.05, curveKeys: [] });
      expect(best.table).toMatchObject({ metric: 'val/loss', at: 'best' });
      expect(s.ablation.resolveTarget('sweep-lr')).toEqual({ group: 'sweep-lr' });
      expect(s.ablation.resolveTarget(b1)).toEqual({ runId: b1 });
      expect(failure(() => s.ablation.compare({ groups: ['sweep-lr'], baseline: { group: 'sweep-lr' }, metric: 'final', alpha: 0.05, curveKeys: [] }))).toMatchObject({
        code: 'bad_request',
        issues: [{ path: 'baseline' }],
      });
      expect(failure(() => s.ablation.compare({ groups: ['unrelated'], metric: 'final', alpha: 0.05, curveKeys: [] })).issues?.[0].path).toBe('baseline');
      expect(failure(() => s.ablation.compare({ groups: ['nope'], metric: 'final', alpha: 0.05, curveKeys: [] }))).toMatchObject({ code: 'not_found', issues: [{ path: 'groups.0' }] });
      expect(failure(() => s.ablation.compare({ metric: 'final', alpha: 0.05, curveKeys: [] })).code).toBe('bad_request');

      const csv = await createDispatcher(ablationHandlers(s)).dispatch('ablation.compareCsv', { groups: ['sweep-lr'] });
      expect(csv).toMatchObject({ ok: true, result: { fileName: 'compare-sweep-lr.csv' } });
      expect(csv.ok && (csv.result as { csv: string }).csv.split('\n')[0]).toMatch(/^label,group,baseline,n,/);
    } finally {
      await s.close();
    }
  });
});

describe('ablation.baseConfig and ablation.review', () => {
  it('reads a base config and reviews a candidate against it, with located issues for bad text', () => {
    const base = ablation.baseConfig();
    expect(base.runId).toBeNull();
    expect(base.yaml).toContain('train:');
    expect(requests['ablation.baseConfig'].result.safeParse(base).success).toBe(true);
    expect((ablation.baseConfig(undefined, 40).config as { train: { steps: number } }).train.steps).toBe(40);
    const ok = ablation.review({ candidate: base.yaml.replace(/^ {2}lr: [^\n]+/m, '  lr: 0.0003') });
    expect(ok.ok && ok.review.changes.map((c) => c.path)).toEqual(['train.lr']);
    expect(ok.ok && ok.review.suggestedName).toBe('lr3e-4');
    expect(requests['ablation.review'].result.safeParse(ok).success).toBe(true);
    const badText = ablation.review({ candidate: 'train:\n  lr: fast\n' });
    expect(badText).toMatchObject({ ok: false, issues: [{ path: 'train.lr', line: 2 }] });
    expect(requests['ablation.review'].result.safeParse(badText).success).toBe(true);
  });
});
