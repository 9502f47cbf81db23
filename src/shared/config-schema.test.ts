// The generated JSON Schema documents every field and accepts exactly what zod accepts (cross-field rules aside).
import { describe, expect, it } from 'vitest';
import Ajv from 'ajv';
import fc from 'fast-check';
import { RunConfig, resolveConfig } from './config.ts';
import { buildConfigJsonSchema, CROSS_FIELD_RULES, schemaLeaves, schemaNodeAt } from './config-schema.ts';
import type { JsonSchemaNode } from './config-schema.ts';

const schema = buildConfigJsonSchema();
const ajv = new Ajv({ allErrors: true });
ajv.addVocabulary(['markdownDescription']);
const validateWithSchema = ajv.compile(schema);

/** A config built only from the schema's declared defaults (what the editor offers), optional objects left out. */
function configFromDefaults(node: JsonSchemaNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (child.properties) {
      if (child.default !== undefined) out[key] = configFromDefaults(child);
    } else if (child.default !== undefined) out[key] = child.default;
  }
  return out;
}

function zodAccepts(value: unknown): { ok: boolean; onlyCrossField: boolean } {
  const parsed = RunConfig.safeParse(value);
  if (parsed.success) return { ok: true, onlyCrossField: false };
  return { ok: false, onlyCrossField: parsed.error.issues.every((i) => i.code === 'custom') };
}

describe('config JSON Schema', () => {
  it('is draft-07 with no required fields (every field has a default)', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const requiredAnywhere = JSON.stringify(schema).includes('"required"');
    expect(requiredAnywhere).toBe(false);
  });

  it('gives every field a title and a description, and every leaf a default (monaco-yaml hover docs)', () => {
    const leaves = schemaLeaves(schema);
    expect(leaves.length).toBeGreaterThan(50);
    const undocumented = leaves.filter((l) => !l.node.description || l.node.description.length < 8).map((l) => l.path);
    expect(undocumented).toEqual([]);
    const withoutDefault = leaves.filter((l) => l.node.default === undefined).map((l) => l.path);
    expect(withoutDefault).toEqual([]);
    for (const leaf of leaves) {
      expect(leaf.node.title).toBe(leaf.path);
      expect(leaf.node.markdownDescription).toContain('Default: `');
    }
    for (const section of ['data', 'model', 'train', 'eval', 'checkpoint', 'alerts', 'model.moe', 'train.dispersion']) {
      expect(schemaNodeAt(section, schema)?.description, section).toBeTruthy();
    }
  });

  it('carries the recipe guidance in the hover docs', () => {
    expect(schemaNodeAt('train.lr', schema)?.description).toMatch(/3e-4 to 1e-3/);
    expect(schemaNodeAt('train.lr', schema)?.description).toMatch(/square root/);
    expect(schemaNodeAt('train.weight_decay', schema)?.description).toMatch(/0\.1/);
    expect(schemaNodeAt('train.grad_clip', schema)?.description).toMatch(/1\.0/);
    expect(schemaNodeAt('train.warmup_steps', schema)?.description).toMatch(/1–5%/);
    expect(schemaNodeAt('train.batch_size', schema)?.description).toMatch(/square-root rule/);
  });

  it('round trip: a config made of the schema defaults resolves to the zod defaults', () => {
    const fromSchema = configFromDefaults(schema);
    const resolved = resolveConfig(fromSchema);
    expect(resolved.ok).toBe(true);
    if (resolved.ok) expect(resolved.config).toEqual(RunConfig.parse({}));
    expect(validateWithSchema(fromSchema)).toBe(true);
    // Section defaults declared on objects agree with their fields' defaults.
    expect(schemaNodeAt('train', schema)?.default).toEqual(RunConfig.parse({}).train);
  });

  const valid: unknown[] = [
    {},
    RunConfig.parse({}),
    { train: { lr: 3e-4, warmup_steps: 20, micro_batch_size: 4 } },
    { model: { n_layer: 6, n_head: 6, d_model: 384, block_size: 256, dropout: 0.2, moe: { experts: 8 } } },
    { data: { tokenizer: 'gpt2', corpus: './my.txt', val_fraction: 0.05 }, backend: 'wasm' },
    { train: { dispersion: { weight: 0.1, variant: 'l2_repel' }, schedule: 'wsd', optimizer: 'muon' } },
    { eval: { generation: true }, checkpoint: { keep: 1 }, alerts: { spike_sigma: 4.5 } },
  ];
  const invalid: unknown[] = [
    null,
    'lr: 1',
    [],
    { train: { lr: 0 } },
    { train: { lr: '1e-3' } },
    { train: { lr: 11 } },
    { train: { micro_batch_size: 'big' } },
    { train: { micro_batch_size: 0 } },
    { train: { steps: 1.5 } },
    { model: { dropout: 1 } },
    { model: 3 },
    { model: { family: 'rwkv' } },
    { model: { moe: { experts: 4, shared: 1 } } },
    { data: { val_fraction: 0.5 } },
    { typo: 1 },
    { train: { warmup_stepz: 10 } },
    { seed: -1 },
    { seed: 2 ** 31 },
    { name: '' },
    { eval: { generation: 'yes' } },
  ];

  it('JSON Schema validation agrees with zod on hand-picked valid and invalid configs', () => {
    for (const value of valid) {
      expect(validateWithSchema(value), JSON.stringify(value)).toBe(true);
      expect(zodAccepts(value).ok, JSON.stringify(value)).toBe(true);
    }
    for (const value of invalid) {
      expect(validateWithSchema(value), JSON.stringify(value)).toBe(false);
      expect(zodAccepts(value ?? 0).ok, JSON.stringify(value)).toBe(false);
    }
  });

  it('the only disagreements are the documented cross-field rules (schema accepts, zod rejects)', () => {
    const crossField = [
      { model: { n_head: 3 } },
      { train: { lr: 1e-4, min_lr: 1e-3 } },
      { train: { steps: 10, warmup_steps: 100 } },
    ];
    expect(crossField).toHaveLength(CROSS_FIELD_RULES.length);
    for (const value of crossField) {
      expect(validateWithSchema(value)).toBe(true);
      expect(zodAccepts(value)).toEqual({ ok: false, onlyCrossField: true });
    }
  });

  it('agrees with zod on 300 randomly mutated configs', () => {
    const leaves = schemaLeaves(schema).map((l) => l.path);
    const mutation = fc.record({
      path: fc.constantFrom(...leaves, 'model', 'train', 'train.dispersion', 'extra', 'model.extra'),
      value: fc.oneof(
        fc.jsonValue({ maxDepth: 2 }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer({ min: -5, max: 5000 }),
        fc.constantFrom('auto', 'gpt', 'byte', 'cosine', 'muon', true, false, 0, 1, 0.5),
      ),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const config = JSON.parse(JSON.stringify(RunConfig.parse({}))) as Record<string, unknown>;
        for (const { path, value } of mutations) {
          const keys = path.split('.');
          let node = config;
          for (const key of keys.slice(0, -1)) {
            if (typeof node[key] !== 'object' || node[key] === null || Array.isArray(node[key])) node[key] = {};
            node = node[key] as Record<string, unknown>;
          }
          node[keys[keys.length - 1]] = value;
        }
        const plain: unknown = JSON.parse(JSON.stringify(config));
        const bySchema = validateWithSchema(plain);
        const byZod = zodAccepts(plain);
        if (bySchema && !byZod.ok) expect(byZod.onlyCrossField).toBe(true);
        else expect(bySchema).toBe(byZod.ok);
      }),
      { numRuns: 300, seed: 42 },
    );
  });
});
