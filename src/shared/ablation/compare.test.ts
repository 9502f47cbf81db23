// The compare table: replicate grouping, Δ vs baseline, mean ± std, Welch verdicts, sorting, CSV and text output.
import { describe, expect, it } from 'vitest';
import { RunConfig } from '../config.ts';
import type { RunConfigInput } from '../config.ts';
import { compareRuns, compareTableToCsv, formatCompareTable, higherIsBetter, resolveCompareMetric, seriesValues } from './compare.ts';
import type { CompareRun, CompareTable } from './compare.ts';
import { welchTTest } from './stats.ts';

let nextId = 0;
function run(patch: RunConfigInput, group: string | null, final: number | null, best = final): CompareRun {
  const config = RunConfig.parse(patch);
  nextId++;
  return { id: `r${nextId}`, name: config.name, group, seed: config.seed, final, best, config };
}

const baseline = [
  run({ name: 'base', seed: 1 }, null, 1.50, 1.48),
  run({ name: 'base', seed: 2 }, null, 1.52, 1.50),
  run({ name: 'base', seed: 3 }, null, 1.49, 1.47),
];
const lr6 = [1.45, 1.46, 1.44].map((loss, i) => run({ name: `lr6e-4-s${i}`, seed: i + 1, train: { lr: 6e-4 } }, 'sweep-lr', loss, loss - 0.01));
const lr3 = [1.51, 1.49, 1.505].map((loss, i) => run({ name: `lr3e-4-s${i}`, seed: i + 1, train: { lr: 3e-4 } }, 'sweep-lr', loss, loss - 0.01));
const single = run({ name: 'warmup200', train: { warmup_steps: 200 } }, null, 1.30, 1.29);
const compound = run({ name: 'two, things', train: { lr: 6e-4, warmup_steps: 50 } }, null, 1.47, 1.46);
const crashed = run({ name: 'crashed', seed: 4, train: { lr: 3e-4 } }, 'sweep-lr', null, null);
const all = [...baseline, ...lr6, ...lr3, single, compound, crashed];

function table(): CompareTable {
  const result = compareRuns(all, { runId: baseline[0].id });
  if (!result.ok) throw new Error(result.error);
  return result.table;
}

describe('compareRuns', () => {
  it('groups seed replicates: same group and same config apart from seed and name', () => {
    const rows = table().rows;
    expect(rows).toHaveLength(5);
    const byLabel = new Map(rows.map((r) => [r.label, r]));
    expect([...byLabel.keys()].sort()).toEqual(['base', 'sweep-lr/lr3e-4', 'sweep-lr/lr6e-4', 'two, things', 'warmup200']);
    expect(byLabel.get('base')!.runIds).toEqual(baseline.map((r) => r.id));
    expect(byLabel.get('sweep-lr/lr3e-4')!.runIds).toEqual([...lr3.map((r) => r.id), crashed.id]);
  });

  it('sorts by the chosen metric, best first, and computes Δ in nats and mean ± std', () => {
    const t = table();
    expect(t.rows.map((r) => r.label)).toEqual(['warmup200', 'sweep-lr/lr6e-4', 'two, things', 'sweep-lr/lr3e-4', 'base']);
    const base = t.rows.find((r) => r.isBaseline)!;
    expect(base.final.mean).toBeCloseTo(1.503333333333, 10);
    expect(base.final.delta).toBe(0);
    expect(base.verdict).toBe('baseline');
    const row = t.rows.find((r) => r.label === 'sweep-lr/lr6e-4')!;
    expect(row.final.mean).toBeCloseTo(1.45, 12);
    expect(row.final.std).toBeCloseTo(0.01, 12);
    expect(row.final.delta).toBeCloseTo(1.45 - 1.503333333333, 10);
    expect(row.best.delta).toBeCloseTo(1.44 - 1.483333333333, 10);
    expect(row.changes).toEqual([{ path: 'train.lr', from: 1e-3, to: 6e-4 }]);
  });

  it('marks rows significant or within noise from the Welch p-value, and single runs as needing seeds', () => {
    const t = table();
    const get = (label: string) => t.rows.find((r) => r.label === label)!;
    expect(get('sweep-lr/lr6e-4').verdict).toBe('significant');
    expect(get('sweep-lr/lr6e-4').p).toBeCloseTo(welchTTest([1.45, 1.46, 1.44], [1.5, 1.52, 1.49])!.p, 14);
    expect(get('sweep-lr/lr3e-4').verdict).toBe('within noise');
    expect(get('sweep-lr/lr3e-4').inNoiseBand).toBe(true);
    expect(get('warmup200')).toMatchObject({ verdict: 'needs seeds', p: null, inNoiseBand: false });
    expect(t.noiseBand?.n).toBe(3);
  });

  it('warns about compound changes and runs without a loss', () => {
    const warnings = table().warnings;
    expect(warnings).toContain('two, things: 2 fields differ from the baseline (train.lr, train.warmup_steps)');
    expect(warnings.some((w) => w.startsWith('sweep-lr/lr3e-4: 1 run(s) without a final val/loss (crashed)'))).toBe(true);
  });

  it('ranks by best val loss when asked', () => {
    const result = compareRuns(all, { runId: baseline[1].id }, { at: 'best' });
    expect(result.ok && result.table.rows[0].label).toBe('warmup200');
    expect(result.ok && result.table.noiseBand?.mean).toBeCloseTo(1.483333333333, 10);
  });

  it('compares the variants of one sweep with each other, labels unchanged whichever is the baseline', () => {
    const labels = (r: ReturnType<typeof compareRuns>): string[] => (r.ok ? r.table.rows.map((x) => x.label).sort() : [r.error]);
    const against3 = compareRuns([...lr6, ...lr3], { runId: lr3[1].id });
    const against6 = compareRuns([...lr6, ...lr3], { runId: lr6[0].id });
    const againstBase = compareRuns(all, { runId: baseline[0].id });
    expect(labels(against3)).toEqual(['sweep-lr/lr3e-4', 'sweep-lr/lr6e-4']);
    expect(labels(against6)).toEqual(labels(against3));
    expect(againstBase.ok && againstBase.table.rows.filter((r) => r.group === 'sweep-lr').map((r) => r.label).sort()).toEqual(labels(against3));
    if (!against3.ok) throw new Error(against3.error);
    const lr6row = against3.table.rows.find((r) => r.label === 'sweep-lr/lr6e-4')!;
    expect(against3.table.rows.find((r) => r.isBaseline)?.label).toBe('sweep-lr/lr3e-4');
    expect(lr6row.final.delta).toBeCloseTo(1.45 - (1.51 + 1.49 + 1.505) / 3, 10);
    expect(lr6row.changes).toEqual([{ path: 'train.lr', from: 3e-4, to: 6e-4 }]);
  });

  it('takes a group as the baseline when its runs share one config, and explains otherwise', () => {
    const byGroup = compareRuns([...lr6, ...baseline], { group: 'sweep-lr' });
    expect(byGroup.ok && byGroup.table.rows.find((r) => r.isBaseline)?.label).toBe('sweep-lr');
    const ambiguous = compareRuns(all, { group: 'sweep-lr' });
    expect(ambiguous).toEqual({ ok: false, error: 'baseline group "sweep-lr" holds 2 different configs; pick one baseline run instead' });
    expect(compareRuns(all, { runId: 'nope' }).ok).toBe(false);
    expect(compareRuns([], { runId: 'r1' }).ok).toBe(false);
  });
});

describe('compare table output', () => {
  it('prints an aligned text table with Δ, p and verdicts for the CLI', () => {
    const text = formatCompareTable(table());
    const lines = text.split('\n');
    expect(lines[0]).toBe('val/loss (lower is better), compared at final');
    expect(lines[2]).toMatch(/^run \/ group\s+n\s+final \(mean ± std\)\s+Δ final\s+best\s+Δ best\s+p\s+verdict$/);
    expect(text).toMatch(/\* base\s+3\s+1\.5033 ± 0\.0153/);
    expect(text).toMatch(/sweep-lr\/lr6e-4\s+3\s+1\.4500 ± 0\.0100\s+-0\.0533/);
    expect(text).toMatch(/warmup200 .* needs seeds/);
    expect(text).toMatch(/Noise band \(baseline mean ± 2σ over 3 seeds\): 1\.4728 – 1\.5339/);
  });

  it('exports CSV with one row per table row, quoting cells that need it', () => {
    const csv = compareTableToCsv(table());
    const lines = csv.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe(
      'label,group,baseline,n,seeds,final_mean,final_std,final_delta,best_mean,best_std,best_delta,at_step_mean,at_step_std,at_step_delta,' +
        'p_value,verdict,in_noise_band,changes,run_ids,metric,at',
    );
    const twoThings = lines.find((l) => l.startsWith('"two, things",'))!;
    expect(twoThings).toContain(',train.lr: 0.001 → 0.0006; train.warmup_steps: 100 → 50,');
    expect(lines.find((l) => l.startsWith('base,'))).toMatch(/,yes,3,1 2 3,/);
  });
});

describe('any metric', () => {
  const at = (v: number, step0: number) => ({ steps: [0, 50, 100], values: [step0, (v + step0) / 2, v] });
  it('reads final, best and at-step values from a series, by the metric\'s direction', () => {
    expect(seriesValues([0, 50, 100], [0.9, 0.5, 0.6], 'diag/condensation/layer_2', 'final')).toEqual({ final: 0.6, best: 0.5, atStep: null });
    expect(seriesValues([0, 50, 100], [0.2, 0.5, 0.4], 'eval/arc/acc', 70)).toEqual({ final: 0.4, best: 0.5, atStep: 0.5 });
    expect(seriesValues([10, 20], [1, 2], 'val/loss', 5).atStep).toBeNull();
    expect(seriesValues([], [], 'val/loss', 'final')).toEqual({ final: null, best: null, atStep: null });
  });

  it('compares a metric at a step with seeds, Welch test and noise band; accuracies rank highest first', () => {
    const mk = (patch: RunConfigInput, group: string, finalV: number, step0: number): CompareRun => {
      const s = at(finalV, step0);
      return { ...run(patch, group, null), ...seriesValues(s.steps, s.values, 'eval/mc/acc', 0) , final: finalV };
    };
    const base = [0.30, 0.32, 0.31].map((v, i) => mk({ name: 'w', seed: i + 1 }, 'sweep-w', v, 0.25 + i / 100));
    const wide = [0.40, 0.41, 0.42].map((v, i) => mk({ name: 'w', seed: i + 1, model: { d_model: 64 } }, 'sweep-w', v, 0.25 + i / 100));
    const r = compareRuns([...base, ...wide], { runId: base[0].id }, { key: 'eval/mc/acc', at: 0 });
    if (!r.ok) throw new Error(r.error);
    expect(r.table).toMatchObject({ metric: 'eval/mc/acc', at: 0, higherIsBetter: true });
    expect(r.table.rows[0].atStep?.mean).toBeCloseTo(0.26, 12);
    expect(r.table.rows.find((x) => !x.isBaseline)!.verdict).toBe('within noise');
    const fin = compareRuns([...base, ...wide], { runId: base[0].id }, { key: 'eval/mc/acc', at: 'final' });
    if (!fin.ok) throw new Error(fin.error);
    expect(fin.table.rows[0].isBaseline).toBe(false);
    expect(fin.table.rows[0].verdict).toBe('significant');
    expect(fin.table.noiseBand?.n).toBe(3);
  });

  it('names rows by readable labels (no internal keys) and the baseline by its row key', () => {
    const t = table();
    for (const row of t.rows) expect([...row.key].every((c) => c.charCodeAt(0) >= 32)).toBe(true);
    expect(t.baselineKey).toBe('base');
    const twins = compareRuns([run({ name: 'same' }, null, 1), run({ name: 'same', train: { lr: 5e-4 } }, null, 2)], { runId: `r${nextId - 1}` });
    expect(twins.ok && twins.table.rows.map((x) => x.key).sort()).toEqual(['same', 'same (2)']);
  });

  it('reads --metric/--at: final and best keep meaning val/loss', () => {
    expect(resolveCompareMetric('best', undefined)).toEqual({ ok: true, key: 'val/loss', at: 'best' });
    expect(resolveCompareMetric(undefined, undefined)).toEqual({ ok: true, key: 'val/loss', at: 'final' });
    expect(resolveCompareMetric('gen/seq_rep_4', 200)).toEqual({ ok: true, key: 'gen/seq_rep_4', at: 200 });
    expect(resolveCompareMetric('best', 100).ok).toBe(false);
    expect(higherIsBetter('val/loss')).toBe(false);
    expect(higherIsBetter('eval/hellaswag/acc_norm')).toBe(true);
  });
});
