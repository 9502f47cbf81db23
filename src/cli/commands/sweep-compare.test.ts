// `loupe sweep` and `loupe compare` as real processes with the real engine on a temporary LOUPE_HOME: a 2-seed
// baseline group, a 2-seed lr sweep linked to it, and the compare table (Δ, p, verdicts) as text and JSON.
import { describe, it, expect } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../../main/scheduler/testing/harness.ts';
import { loupe } from '../testing.ts';
import type { CompareTable } from '../../shared/ablation/compare.ts';

const tinyYaml = `name: tiny
train:
  steps: 16
  warmup_steps: 2
  batch_size: 4
  lr: 0.001
  min_lr: 0.0001
model:
  n_layer: 1
  n_head: 2
  d_model: 32
  block_size: 32
eval:
  every: 8
  batches: 2
checkpoint:
  every: 16
`;

interface SweepJson {
  group: string;
  baseline_id: string | null;
  field: string | null;
  runs: { run_id: string; name: string; status: string; val_loss: number | null }[];
}

function lastJson<T>(stdout: string): T {
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]) as T;
}

describe('loupe sweep / compare', () => {
  it('rejects a bad --vary in one line and creates nothing', async () => {
    const home = tempDir('loupe-sweep-bad-');
    const cfg = path.join(home, 'tiny.yaml');
    fs.writeFileSync(cfg, tinyYaml);
    for (const [vary, says] of [
      ['train.lrr=1e-3', 'did you mean "train.lr"'],
      ['train.lr=fast', '"fast" is not valid'],
      ['train.lr', 'expected FIELD=V1,V2'],
      ['model=1', 'group of fields'],
    ] as const) {
      const r = await loupe(['sweep', cfg, '--vary', vary], { LOUPE_HOME: home });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(says);
    }
    const missing = await loupe(['sweep', path.join(home, 'nope.yaml'), '--vary', 'train.lr=1e-3'], { LOUPE_HOME: home });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^loupe: config file .*nope\.yaml not found$/);
    expect(fs.existsSync(path.join(home, 'loupe.db'))).toBe(false);
  });

  it('trains a baseline group and a linked lr sweep, then compares them with Δ, p and verdicts', { timeout: 300_000 }, async () => {
    const home = tempDir('loupe-sweep-');
    const env = { LOUPE_HOME: home };
    const cfg = path.join(home, 'tiny.yaml');
    fs.writeFileSync(cfg, tinyYaml);

    const base = await loupe(['sweep', cfg, '--seeds', '2', '--name', 'base', '--json'], env);
    expect(base.code, base.stderr).toBe(0);
    const baseOut = lastJson<SweepJson>(base.stdout);
    expect(baseOut).toMatchObject({ group: 'base', field: null, baseline_id: null });
    expect(baseOut.runs.map((r) => [r.name, r.status])).toEqual([['tiny-s1337', 'finished'], ['tiny-s1338', 'finished']]);

    const plan = await loupe(['sweep', cfg, '--vary', 'train.lr=3e-3', '--seeds', '2', '--baseline', baseOut.runs[0].run_id, '--dry-run'], env);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('would queue 2 run(s) in group sweep-lr');

    const sweep = await loupe(['sweep', cfg, '--vary', 'train.lr=3e-3', '--seeds', '2', '--baseline', baseOut.runs[0].run_id], env);
    expect(sweep.code, sweep.stderr).toBe(0);
    expect(sweep.stdout).toContain('queued 2 run(s) in group sweep-lr: train.lr = 0.003 × seeds 1337, 1338, 16 steps each');
    expect(sweep.stdout).toContain('[2/2] training lr3e-3-s1338');
    // With a baseline, the sweep ends with the compare table.
    expect(sweep.stdout).toContain('Δ final');
    expect(sweep.stdout).toContain('compare with: loupe compare sweep-lr');

    // The default baseline is the linked run, joined by its seed replicate from the same group.
    const cmp = await loupe(['compare', 'sweep-lr', '--json'], env);
    expect(cmp.code, cmp.stderr).toBe(0);
    const table = lastJson<CompareTable>(cmp.stdout);
    expect(table.rows).toHaveLength(2);
    const baseRow = table.rows.find((r) => r.isBaseline)!;
    const lrRow = table.rows.find((r) => !r.isBaseline)!;
    expect(baseRow).toMatchObject({ label: 'base', seeds: [1337, 1338], verdict: 'baseline' });
    expect(lrRow).toMatchObject({ label: 'sweep-lr', seeds: [1337, 1338] });
    expect(lrRow.final.values).toHaveLength(2);
    expect(lrRow.final.delta).toBeCloseTo(lrRow.final.mean! - baseRow.final.mean!, 12);
    // Three times the learning rate learns faster in 16 steps.
    expect(lrRow.final.delta!).toBeLessThan(0);
    expect(lrRow.p).toBeGreaterThan(0);
    expect(lrRow.p).toBeLessThan(1);
    expect(lrRow.verdict).toBe(lrRow.p! < table.alpha ? 'significant' : 'within noise');
    expect(lrRow.changes.map((c) => c.path)).toEqual(['train.lr']);
    expect(table.noiseBand).toMatchObject({ n: 2 });

    const text = await loupe(['compare', 'sweep-lr', '--baseline', 'base', '--metric', 'best', '--csv', path.join(home, 'cmp.csv')], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^run \/ group\s+n\s+final \(mean ± std\)\s+Δ final\s+best\s+Δ best\s+p\s+verdict$/m);
    expect(text.stdout).toContain('* base');
    expect(text.stdout).toContain('Welch t-test on the best val/loss');
    expect(fs.readFileSync(path.join(home, 'cmp.csv'), 'utf8').split('\n')[0]).toMatch(/^label,group,baseline,n,/);

    // Nothing links these to one baseline, so the first target is the baseline.
    const ab = await loupe(['compare', 'base', 'sweep-lr', '--json'], env);
    expect(ab.code, ab.stderr).toBe(0);
    const abTable = lastJson<CompareTable>(ab.stdout);
    expect(abTable.baselineKey).toBe('base');
    expect(abTable.rows.find((r) => r.isBaseline)!.label).toBe('base');
    expect(JSON.stringify(abTable)).not.toMatch(/\\u0000/);

    // Any recorded metric, at a step: val/ppl at the mid-run eval (step 8).
    const ppl = await loupe(['compare', 'sweep-lr', '--metric', 'val/ppl', '--at', '8', '--json'], env);
    expect(ppl.code, ppl.stderr).toBe(0);
    const pplTable = lastJson<CompareTable>(ppl.stdout);
    expect(pplTable).toMatchObject({ metric: 'val/ppl', at: 8, higherIsBetter: false });
    const pplBase = pplTable.rows.find((r) => r.isBaseline)!;
    expect(pplBase.atStep!.values).toHaveLength(2);
    expect(pplBase.final.mean).toBeCloseTo(Math.exp(baseRow.final.values[0]!) / 2 + Math.exp(baseRow.final.values[1]!) / 2, 6);
    const conflict = await loupe(['compare', 'sweep-lr', '--metric', 'best', '--at', '8'], env);
    expect(conflict.code).toBe(2);
    const badAt = await loupe(['compare', 'sweep-lr', '--at', 'middle'], env);
    expect(badAt.stderr.trim()).toBe('loupe: --at must be final, best or a step number, got "middle"');
    const unknown = await loupe(['compare', 'nope'], env);
    expect(unknown.stderr.trim()).toBe('loupe: argument "nope" is neither a group nor a run (no run with id or name "nope")');
  });
});
