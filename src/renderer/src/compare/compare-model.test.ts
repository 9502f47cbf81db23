// The Compare page's view model over real compare tables (built by the shared compareRuns): route selection,
// bars in table order, error bars only where seeds allow, the noise band around Δ = 0, curves coloured by row.
import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../../shared/ablation/index.ts';
import type { CompareRun, CompareTable } from '../../../shared/ablation/index.ts';
import { RunConfig } from '../../../shared/config.ts';
import type { RunConfigInput } from '../../../shared/config.ts';
import {
  compareChartModel, curveLines, describeChange, formatDelta, formatMeanStd, formatP, groupRouteId, parseSelection, rowColorMap,
  selectionIds, toggleInSelection, verdictLabel, baselineChoices, barLabel,
} from './compare-model.ts';

let nextId = 0;
function run(patch: RunConfigInput, group: string | null, final: number | null, best = final): CompareRun {
  const config = RunConfig.parse(patch);
  return { id: `r${++nextId}`, name: config.name, group, seed: config.seed, final, best, config };
}

const base = [1.5, 1.52, 1.49].map((l, i) => run({ name: 'base', seed: i + 1 }, null, l, l - 0.02));
const better = [1.4, 1.41, 1.39].map((l, i) => run({ name: `lr2e-3-s${i}`, seed: i + 1, train: { lr: 2e-3 } }, 'sweep-lr', l, l - 0.01));
const same = [1.51, 1.5, 1.505].map((l, i) => run({ name: `lr9e-4-s${i}`, seed: i + 1, train: { lr: 9e-4 } }, 'sweep-lr', l, l - 0.01));
const single = run({ name: 'warmup50', train: { warmup_steps: 50 } }, null, 1.45);

function table(runs: CompareRun[] = [...base, ...better, ...same, single]): CompareTable {
  const r = compareRuns(runs, { runId: base[0].id });
  if (!r.ok) throw new Error(r.error);
  return r.table;
}

describe('selection', () => {
  it('keeps groups and runs apart in the route, without duplicates', () => {
    const s = parseSelection(['r1', groupRouteId('sweep-lr'), 'r1', 'g:', '  ', 'r2']);
    expect(s).toEqual({ runIds: ['r1', 'r2'], groups: ['sweep-lr'] });
    expect(selectionIds(s)).toEqual(['g:sweep-lr', 'r1', 'r2']);
    expect(toggleInSelection(s, 'run', 'r1', false)).toEqual({ runIds: ['r2'], groups: ['sweep-lr'] });
    expect(toggleInSelection(s, 'group', 'g2', true).groups).toEqual(['sweep-lr', 'g2']);
  });
});

describe('compareChartModel', () => {
  it('puts one bar per row and metric in the table order (best first), Δ in nats', () => {
    const t = table();
    const m = compareChartModel(t);
    expect(m.categories).toEqual(t.rows.map((r) => r.label));
    expect(m.categories[0]).toBe('sweep-lr/lr2e-3');
    expect(m.bars.final).toHaveLength(t.rows.length);
    expect(m.bars.best).toHaveLength(t.rows.length);
    const top = m.bars.final[0];
    expect(top.delta).toBeCloseTo(1.4 - (1.5 + 1.52 + 1.49) / 3, 12);
    expect(top.n).toBe(3);
    const baseBar = m.bars.final.find((b) => b.label === 'base')!;
    expect(baseBar.delta).toBe(0);
  });

  it('draws error bars only for rows with two or more seeds', () => {
    const m = compareChartModel(table());
    const labels = new Set(m.errorBars.map((b) => b.label));
    expect(labels.has('warmup50')).toBe(false);
    expect(labels.has('base')).toBe(true);
    // final and best for each of the three seeded rows
    expect(m.errorBars).toHaveLength(6);
    const e = m.errorBars.find((b) => b.label === 'sweep-lr/lr2e-3' && b.metric === 'final')!;
    expect(e.std).toBeCloseTo(0.01, 12);
  });

  it('centres the noise band on Δ = 0 with ±2σ of the baseline seeds, and the extent covers everything', () => {
    const t = table();
    const m = compareChartModel(t);
    expect(m.band).not.toBeNull();
    const half = 2 * t.noiseBand!.std;
    expect(m.band!.lower).toBeCloseTo(-half, 12);
    expect(m.band!.upper).toBeCloseTo(half, 12);
    for (const b of m.errorBars) {
      expect(m.extent[0]).toBeLessThan(b.delta - b.std);
      expect(m.extent[1]).toBeGreaterThan(b.delta + b.std);
    }
    expect(m.extent[0]).toBeLessThan(m.band!.lower);
  });

  it('labels each row with its verdict and p-value', () => {
    const t = table();
    const m = compareChartModel(t);
    const betterRow = t.rows.find((r) => r.label === 'sweep-lr/lr2e-3')!;
    expect(betterRow.verdict).toBe('significant');
    expect(m.axisLabels[0]).toBe(`sweep-lr/lr2e-3\nsignificant (p = ${formatP(betterRow.p)})`);
    expect(verdictLabel(t.rows.find((r) => r.label === 'sweep-lr/lr9e-4')!)).toMatch(/^within noise \(p = 0\.\d+\)$/);
    expect(verdictLabel(t.rows.find((r) => r.label === 'warmup50')!)).toBe('needs seeds (no p-value)');
    expect(verdictLabel(t.rows.find((r) => r.isBaseline)!)).toBe('baseline');
  });

  it('has no band with a single baseline seed', () => {
    const r = compareRuns([base[0], ...better], { runId: base[0].id });
    expect(r.ok && compareChartModel(r.table).band).toBeNull();
  });
});

describe('formatting', () => {
  it('prints signed deltas, mean ± std, p-values and changes', () => {
    expect(formatDelta(-0.01234)).toBe('−0.0123');
    expect(formatDelta(0.5)).toBe('+0.5000');
    expect(formatDelta(0)).toBe('±0.0000');
    expect(formatDelta(null)).toBe('—');
    expect(formatMeanStd(1.5, 0.01)).toBe('1.5000 ± 0.0100');
    expect(formatMeanStd(1.5, null)).toBe('1.5000');
    expect(formatP(0.01234)).toBe('0.012');
    expect(formatP(0.00001)).toBe('1.0e-5');
    expect(describeChange({ path: 'train.lr', from: 0.001, to: 0.002 })).toBe('train.lr: 1e-3 → 2e-3');
    expect(describeChange({ path: 'model.moe', from: undefined, to: { experts: 4 } })).toBe('model.moe: unset → {"experts":4}');
  });
});

describe('curveLines', () => {
  it('colours runs by row, dashes later seeds and drops non-finite points', () => {
    const t = table([...base, ...better]);
    const colors = rowColorMap(t);
    const baseKey = t.rows.find((r) => r.isBaseline)!.key;
    const otherKey = t.rows.find((r) => !r.isBaseline)!.key;
    expect(colors.get(baseKey)).not.toBe(colors.get(otherKey));
    const runs = [
      { id: 'a', name: 'a', rowKey: baseKey },
      { id: 'b', name: 'b', rowKey: baseKey },
      { id: 'c', name: 'c', rowKey: otherKey },
    ];
    const curves = [
      { runId: 'a', series: [{ key: 'val/loss', steps: [0, 10, 20], values: [5, 'NaN', 3] }] },
      { runId: 'c', series: [{ key: 'val/loss', steps: [0, 20], values: [5, 2.5] }] },
    ];
    const lines = curveLines(runs, curves, colors);
    expect(lines.map((l) => [l.runId, l.dashed, l.points.length])).toEqual([['a', false, 2], ['b', true, 0], ['c', false, 2]]);
    expect(lines[0].points).toEqual([[0, 5], [20, 3]]);
    expect(lines[0].color).toBe(colors.get(baseKey));
  });
});

describe('baselineChoices', () => {
  const runs = [
    { id: 'a1', name: 'lr1e-3-s1337', groupName: 'sweep-lr' },
    { id: 'a2', name: 'lr1e-3-s1338', groupName: 'sweep-lr' },
    { id: 'b1', name: 'lr3e-3-s1337', groupName: 'sweep-lr' },
    { id: 'b2', name: 'lr3e-3-s1338', groupName: 'sweep-lr' },
    { id: 'x', name: 'warmup50', groupName: null },
    { id: 'y', name: 'baseline', groupName: null },
  ];
  const groups = [{ name: 'sweep-lr', runIds: ['a1', 'a2', 'b1', 'b2'], variedFields: ['train.lr'] }];

  it('offers every variant of a picked sweep and every picked run, before any comparison succeeded', () => {
    const choices = baselineChoices({ groups: ['sweep-lr'], runIds: ['x'] }, groups, runs);
    expect(choices.map((c) => [c.value, c.label])).toEqual([
      ['group:sweep-lr', 'all of sweep-lr'],
      ['run:a1', 'sweep-lr / lr1e-3 (2 seeds)'],
      ['run:b1', 'sweep-lr / lr3e-3 (2 seeds)'],
      ['run:x', 'warmup50'],
    ]);
    // A sweep of several configs cannot be one baseline: shown, but disabled with the reason.
    expect(choices[0].disabled).toMatch(/varies train\.lr: pick one of its variants/);
  });

  it('adds runs a comparison brought in (the linked baseline) once', () => {
    const choices = baselineChoices({ groups: [], runIds: ['x'] }, groups, runs, [runs[4], runs[5]]);
    expect(choices.map((c) => c.value)).toEqual(['run:x', 'run:y']);
    expect(baselineChoices({ groups: ['seeds'], runIds: [] }, [{ name: 'seeds', runIds: ['y'], variedFields: [] }], runs)[0].disabled).toBeUndefined();
  });
});

describe('barLabel', () => {
  it('labels the baseline bar with its own std, never a Δ of "±0.000"', () => {
    const t = table();
    const base = t.rows.find((r) => r.isBaseline)!;
    expect(base.final.std).not.toBeNull();
    expect(barLabel(base, 'final')).toBe(`baseline σ ${base.final.std!.toFixed(3)}`);
    const other = t.rows.find((r) => !r.isBaseline)!;
    expect(barLabel(other, 'final')).toBe(formatDelta(other.final.delta, 3));
  });
});
