// `--vary FIELD=V1,V2,...` parsing against the schema, and sweep expansion over seeds.
import { describe, expect, it } from 'vitest';
import { RunConfig } from '../config.ts';
import { expandSweep, expandVariants, parseVary, sweepGroupName } from './sweep.ts';

describe('parseVary', () => {
  it('reads the issue example as numbers', () => {
    expect(parseVary('train.lr=1e-3,6e-4,3e-4')).toEqual({ ok: true, vary: { path: 'train.lr', values: [1e-3, 6e-4, 3e-4] } });
  });

  it('coerces each value to the type the field takes', () => {
    expect(parseVary('model.bias=true,false')).toEqual({ ok: true, vary: { path: 'model.bias', values: [true, false] } });
    expect(parseVary('train.micro_batch_size=auto,4, 2')).toEqual({ ok: true, vary: { path: 'train.micro_batch_size', values: ['auto', 4, 2] } });
    expect(parseVary('train.optimizer=adamw,muon')).toEqual({ ok: true, vary: { path: 'train.optimizer', values: ['adamw', 'muon'] } });
    expect(parseVary('name=123,abc')).toEqual({ ok: true, vary: { path: 'name', values: ['123', 'abc'] } });
    expect(parseVary('model.moe.experts=4,8')).toEqual({ ok: true, vary: { path: 'model.moe.experts', values: [4, 8] } });
  });

  it('rejects values the field does not accept, naming field and value', () => {
    const notInt = parseVary('model.n_layer=2,2.5');
    expect(notInt.ok).toBe(false);
    if (!notInt.ok) expect(notInt.error).toMatch(/^--vary model\.n_layer: "2\.5" is not valid: .*int/i);
    const badEnum = parseVary('train.optimizer=adamw,sgd');
    expect(!badEnum.ok && badEnum.error).toMatch(/"sgd" is not valid/);
    const text = parseVary('train.lr=fast');
    expect(!text.ok && text.error).toMatch(/"fast" is not valid: .*number/);
    expect(parseVary('train.lr=0').ok).toBe(false);
  });

  it('rejects unknown fields with a hint, groups of fields, and malformed specs', () => {
    const typo = parseVary('train.lrr=1e-3');
    expect(!typo.ok && typo.error).toBe('--vary unknown field "train.lrr": train has no "lrr" (did you mean "train.lr"?)');
    const group = parseVary('train.dispersion=1');
    expect(!group.ok && group.error).toMatch(/group of fields; vary one of: train\.dispersion\.weight/);
    expect(parseVary('train.lr').ok).toBe(false);
    expect(parseVary('=1,2').ok).toBe(false);
    expect(parseVary('train.lr=1e-3,,3e-4').ok).toBe(false);
    const twice = parseVary('train.lr=1e-3,0.001');
    expect(!twice.ok && twice.error).toMatch(/listed twice/);
  });
});

describe('expandSweep', () => {
  const base = RunConfig.parse({ name: 'baseline', seed: 100, train: { lr: 1e-3, min_lr: 1e-5 } });

  it('makes values × seeds resolved configs, named for the change and the seed', () => {
    const vary = parseVary('train.lr=6e-4,3e-4');
    if (!vary.ok) throw new Error(vary.error);
    const result = expandSweep(base, vary.vary, 3);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.runs.map((r) => r.name)).toEqual(['lr6e-4-s100', 'lr6e-4-s101', 'lr6e-4-s102', 'lr3e-4-s100', 'lr3e-4-s101', 'lr3e-4-s102']);
    for (const run of result.runs) {
      expect(RunConfig.parse(run.config)).toEqual(run.config);
      expect(run.config.name).toBe(run.name);
      expect(run.config.seed).toBe(run.seed);
      expect(run.config.train.lr).toBe(run.value);
      // Only lr (and seed/name) differ from the base.
      expect(run.changes.map((c) => c.path).filter((p) => p !== 'seed' && p !== 'name')).toEqual(['train.lr']);
    }
    expect(sweepGroupName(vary.vary)).toBe('sweep-lr');
  });

  it('accepts an explicit seed list, and names a value equal to the base for its value, as the queued runs are', () => {
    const result = expandSweep(base, { path: 'train.lr', values: [1e-3] }, [1, 2]);
    expect(result.ok && result.runs.map((r) => r.name)).toEqual(['lr1e-3-s1', 'lr1e-3-s2']);
    // Seed replicates keep the base config's name.
    const seeds = expandSweep(base, { path: 'seed', values: [base.seed] }, 2);
    expect(seeds.ok && seeds.runs.map((r) => r.name)).toEqual(['baseline-s100', 'baseline-s101']);
  });

  it('reports a value that breaks a cross-field rule instead of queueing a broken run', () => {
    const result = expandSweep(base, { path: 'train.lr', values: [1e-4, 1e-6] }, 2);
    expect(result).toEqual({ ok: false, error: 'train.lr=1e-6: train.min_lr: min_lr must not exceed lr' });
  });

  it('refuses a value the rest of the config does not allow, naming the field, before any run is queued', () => {
    // The base config's biases suit gpt; a Mamba block has none in its projections.
    const result = expandSweep(RunConfig.parse({ ...base, model: { ...base.model, bias: true } }), { path: 'model.family', values: ['gpt', 'mamba'] }, 1);
    expect(result).toEqual({ ok: false, error: 'model.family=mamba: model.bias: mamba blocks have no biases in their projections (the convolution and Δ projection always have theirs)' });
  });

  it('refuses empty and oversized sweeps and repeated seeds', () => {
    expect(expandSweep(base, { path: 'train.lr', values: [1e-3] }, 0).ok).toBe(false);
    expect(expandSweep(base, { path: 'train.lr', values: [1e-3] }, [3, 3]).ok).toBe(false);
    expect(expandSweep(base, { path: 'train.lr', values: [] }, 3).ok).toBe(false);
    expect(expandSweep(base, { path: 'train.lr', values: [1e-3, 2e-3] }, 501).ok).toBe(false);
  });
});

describe('expandVariants', () => {
  const base = RunConfig.parse({ name: 'baseline', seed: 7 });

  it('makes variants × seeds, each variant setting several fields together, named for its label', () => {
    const result = expandVariants(
      base,
      [
        { label: 'narrow', set: { 'model.d_model': 64, 'model.n_layer': 2 } },
        { label: 'llama', set: { 'model.family': 'llama', 'model.d_model': 96, 'model.bias': null } },
      ],
      2,
    );
    if (!result.ok) throw new Error(result.error);
    expect(result.runs.map((r) => r.name)).toEqual(['narrow-s7', 'narrow-s8', 'llama-s7', 'llama-s8']);
    expect(result.runs[0]!.config.model).toMatchObject({ d_model: 64, n_layer: 2, family: 'gpt', bias: true });
    // bias: null asks for the family's own choice (none for llama).
    expect(result.runs[2]!.config.model).toMatchObject({ d_model: 96, n_layer: 4, family: 'llama', bias: false });
    expect(result.runs[2]!.changes.map((c) => c.path).sort()).toEqual(['model.bias', 'model.d_model', 'model.family', 'name'].sort());
  });

  it('names an invalid variant and refuses repeated labels', () => {
    expect(expandVariants(base, [{ label: 'bad', set: { 'model.d_model': 130 } }], 1)).toEqual({
      ok: false,
      error: 'variant bad: model.d_model: d_model must be divisible by n_head',
    });
    expect(expandVariants(base, [{ label: 'a', set: {} }, { label: 'a', set: {} }], 1)).toEqual({ ok: false, error: 'variant "a" is listed twice' });
    expect(expandVariants(base, [], 1).ok).toBe(false);
  });
});
