// The architecture study over a real store: the plan sizes four models to one budget, the study queues them as one
// group (trained here by the scripted engine), and the table's cells are the compare machinery's numbers per arm.
import { describe, it, expect, afterAll } from 'vitest';
import { scriptedServices } from '../scheduler/testing/harness.ts';
import { welchTTest, mean, sampleStd } from '../../shared/ablation/stats.ts';
import { planArchitectureStudy, studyBaseConfig, paramFigures } from '../../shared/studies/architectures.ts';
import { resolveWithOverrides, readBaselineConfig } from './config-input.ts';
import { ServiceError } from './errors.ts';
import { ArchitectureStudyResult, StudyTable } from '../../shared/api/studies.ts';

const services = await scriptedServices();
afterAll(() => services.close());

describe('architecture study', () => {
  const recipe = resolveWithOverrides(readBaselineConfig());

  it('sizes the four models to the budget of active parameters, the MoE arm holding more in its experts', () => {
    // Widths step by 8, so the match is coarse for tiny models and close from 1M on.
    for (const [budget, tolerance] of [[200_000, 0.15], [1_000_000, 0.1], [5_000_000, 0.03]] as const) {
      const plan = planArchitectureStudy(studyBaseConfig(recipe, 100), budget);
      if (!plan.ok) throw new Error(plan.error);
      expect(plan.arms.map((a) => a.arm)).toEqual(['transformer', 'mamba', 'hybrid', 'moe']);
      for (const a of plan.arms) {
        expect(Math.abs(a.params.active - budget) / budget, `${a.arm} at ${budget}`).toBeLessThan(tolerance);
        if (a.arm === 'moe') expect(a.params.total).toBeGreaterThan(1.5 * a.params.active);
        else expect(a.params.active).toBe(a.params.total);
      }
    }
    expect(planArchitectureStudy(recipe, 10)).toEqual({ ok: false, error: 'params must be from 10000 to 300000000 (got 10)' });
  });

  it('plans a dry run without queueing, and refuses a bad budget with the field named', () => {
    const before = services.store.runs.list({ includeArchived: true }).length;
    const dry = services.studies.architectures({ params: 300_000, steps: 20, seeds: 2, dryRun: true });
    expect(dry.planned).toHaveLength(8);
    expect(dry.planned.map((p) => p.name)).toContain('mamba-s1338');
    expect(dry.runs).toEqual([]);
    expect(services.store.runs.list({ includeArchived: true })).toHaveLength(before);
    let err: unknown;
    try {
      services.studies.architectures({ params: 5000, dryRun: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
  });

  it('queues one group of arms × seeds, trains them, and tabulates each arm against the transformer', async () => {
    const queued = services.studies.architectures({ params: 200_000, steps: 12, seeds: 2 });
    expect(queued.group).toBe('study-architectures');
    expect(queued.runs).toHaveLength(8);
    await Promise.all(queued.runs.map((r) => services.runs.waitForEnd(r.id)));
    expect(services.studies.list().map((s) => s.group)).toEqual(['study-architectures']);

    // Known values per run (the scripted engine's own curve is the same for every arm): val, train ce and a gen metric.
    const byArm = new Map<string, string[]>();
    for (const r of queued.runs) byArm.set(r.name.replace(/-s\d+$/, ''), [...(byArm.get(r.name.replace(/-s\d+$/, '')) ?? []), r.id]);
    const val: Record<string, number[]> = { transformer: [2.0, 2.1], mamba: [2.3, 2.35], hybrid: [2.6, 2.5], moe: [2.05, 2.0] };
    for (const [arm, ids] of byArm) {
      ids.forEach((id, i) => {
        services.store.metrics.insert(id, 9, 0, [
          { step: 13, key: 'val/loss', value: val[arm]![i]! },
          { step: 13, key: 'val/ppl', value: Math.exp(val[arm]![i]!) },
          { step: 13, key: 'train/ce', value: 1.5 },
          { step: 13, key: 'gen/loop_fraction', value: arm === 'transformer' ? 0.5 : 0 },
        ]);
      });
    }
    const table = services.studies.table(queued.group);
    // What the API sends is what its contract says (the renderer validates every result).
    expect(() => StudyTable.parse(JSON.parse(JSON.stringify(table)))).not.toThrow();
    expect(() => ArchitectureStudyResult.parse(JSON.parse(JSON.stringify(queued)))).not.toThrow();
    expect(table.rows.map((r) => r.arm)).toEqual(['transformer', 'mamba', 'hybrid', 'moe']);
    expect(table.steps).toBe(12);
    for (const row of table.rows) {
      const v = val[row.arm]!;
      expect(row.finished).toBe(2);
      expect(row.valLoss.mean).toBeCloseTo(mean(v), 12);
      expect(row.valLoss.std).toBeCloseTo(sampleStd(v), 12);
      if (row.arm === 'transformer') expect(row.valLoss.p).toBeNull();
      else expect(row.valLoss.p).toBeCloseTo(welchTTest(v, val['transformer']!)!.p, 12);
      // The gap is val − the (smoothed) training cross-entropy, here a constant 1.5.
      expect(row.gap.values.map((g) => +g.toFixed(9))).toEqual(v.map((x) => +(x - 1.5).toFixed(9)));
      expect(row.loopFraction.mean).toBe(row.arm === 'transformer' ? 0.5 : 0);
      expect(row.seqRep4.mean).toBeNull();
      expect(row.tokensPerS.mean).toBe(1000);
      const figures = paramFigures(services.store.runs.config(row.runIds[0]!));
      expect(figures.ok && figures.figures).toEqual(row.params);
    }
    expect(table.rows.find((r) => r.arm === 'moe')!.params.active).toBeLessThan(table.rows.find((r) => r.arm === 'moe')!.params.total);

    // The same plan, queued again, gets a new group name.
    const again = services.studies.architectures({ params: 200_000, steps: 12, seeds: 1, dryRun: true });
    expect(again.group).toBe('study-architectures-2');
  });

  it('refuses a table for a group without a transformer to compare with', async () => {
    const base = studyBaseConfig(recipe, 5);
    const mamba = { ...base, model: { ...base.model, family: 'mamba', bias: null } };
    const sweep = services.ablation.sweep({ config: mamba, vary: 'train.lr=1e-3', seeds: 1, group: 'not-a-study', dryRun: false });
    await Promise.all(sweep.runs.map((r) => services.runs.waitForEnd(r.id)));
    let err: unknown;
    try {
      services.studies.table('not-a-study');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).message).toMatch(/no Pure Transformer run/);
  });
});
