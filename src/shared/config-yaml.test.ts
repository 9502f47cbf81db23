// YAML/JSON config text → resolved config, with errors located by field path and line; and the canonical YAML printer.
import { describe, expect, it } from 'vitest';
import { RunConfig } from './config.ts';
import { formatForFile, MAX_CONFIG_CHARS, parseConfigText, stringifyConfig } from './config-yaml.ts';
import type { TextConfigResult } from './config-yaml.ts';

function issuesOf(result: TextConfigResult) {
  if (result.ok) throw new Error('expected the config to be rejected');
  return result.issues;
}

describe('parseConfigText (YAML)', () => {
  it('resolves a partial config over the defaults, reading YAML 1.2 floats like 3e-4', () => {
    const result = parseConfigText('name: lr3e-4\ntrain:\n  lr: 3e-4\n  warmup_steps: 20\nmodel: {n_layer: 2}\n', 'yaml');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.train.lr).toBe(3e-4);
    expect(result.config.train.warmup_steps).toBe(20);
    expect(result.config.model.n_layer).toBe(2);
    expect(result.config.model.d_model).toBe(128);
    expect(result.config.name).toBe('lr3e-4');
  });

  it('treats empty text and a comment-only document as all defaults', () => {
    for (const text of ['', '# nothing here\n']) {
      const result = parseConfigText(text, 'yaml');
      expect(result).toEqual({ ok: true, config: RunConfig.parse({}) });
    }
  });

  it('reports a syntax error with its line and column', () => {
    const issues = issuesOf(parseConfigText('train:\n  lr: 1e-3\n  steps: [100\nmodel:\n  n_layer: 2\n', 'yaml'));
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0].path).toBe('');
    expect(issues[0].message).toMatch(/^YAML syntax: /);
    expect(issues[0].line).toBeGreaterThanOrEqual(3);
    expect(issues[0].column).toBeGreaterThanOrEqual(1);
  });

  it('reports a bad indentation / duplicate key as a syntax error on the right line', () => {
    const dup = issuesOf(parseConfigText('seed: 1\nseed: 2\n', 'yaml'));
    expect(dup[0].line).toBe(2);
    expect(dup[0].message).toMatch(/unique|duplicate/i);
    const tab = issuesOf(parseConfigText('train:\n\tlr: 1\n', 'yaml'));
    expect(tab[0].line).toBe(2);
  });

  it('locates an invalid value by field path and the line of the value', () => {
    const text = ['name: x', 'train:', '  steps: 500', '  lr: 20', 'model:', '  dropout: -0.1', ''].join('\n');
    const issues = issuesOf(parseConfigText(text, 'yaml'));
    expect(issues.map((i) => [i.path, i.line, i.column])).toEqual([
      ['train.lr', 4, 7],
      ['model.dropout', 6, 12],
    ]);
    expect(issues[0].message).toMatch(/10/);
  });

  it('names unknown fields on their own line, with a did-you-mean hint', () => {
    const issues = issuesOf(parseConfigText('train:\n  lr: 1e-3\n  warmup_stpes: 10\nfoo: 1\n', 'yaml'));
    expect(issues).toEqual([
      { path: 'train.warmup_stpes', message: 'unknown field "warmup_stpes" (did you mean "warmup_steps"?)', line: 3, column: 3, endLine: 3, endColumn: 15 },
      { path: 'foo', message: 'unknown field "foo"', line: 4, column: 1, endLine: 4, endColumn: 4 },
    ]);
  });

  it('puts cross-field errors on the field zod names, or its nearest written ancestor', () => {
    const lr = issuesOf(parseConfigText('train:\n  lr: 1e-4\n  min_lr: 1e-3\n', 'yaml'));
    expect(lr).toEqual([{ path: 'train.min_lr', message: 'min_lr must not exceed lr', line: 3, column: 11, endLine: 3, endColumn: 15 }]);
    // d_model is not written: the issue points at the "model" key that holds n_head.
    const heads = issuesOf(parseConfigText('seed: 3\nmodel:\n  n_head: 3\n', 'yaml'));
    expect(heads).toEqual([{ path: 'model.d_model', message: 'd_model must be divisible by n_head', line: 2, column: 1, endLine: 2, endColumn: 6 }]);
  });

  it('rejects a document that is not a mapping', () => {
    const issues = issuesOf(parseConfigText('- a\n- b\n', 'yaml'));
    expect(issues[0]).toMatchObject({ path: '', line: 1, column: 1 });
    expect(issues[0].message).toMatch(/object/);
  });

  it('refuses alias bombs and oversized text instead of expanding them', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');
    const issues = issuesOf(parseConfigText(bomb, 'yaml'));
    expect(issues[0].message).toMatch(/alias/i);
    const big = issuesOf(parseConfigText(`name: ${'x'.repeat(MAX_CONFIG_CHARS)}`, 'yaml'));
    expect(big[0].message).toMatch(/too large/);
  });
});

describe('parseConfigText (JSON)', () => {
  it('resolves valid JSON', () => {
    const result = parseConfigText('{"train": {"lr": 0.0006}, "seed": 7}', 'json');
    expect(result.ok && result.config.train.lr).toBe(6e-4);
    expect(result.ok && result.config.seed).toBe(7);
  });

  it('reports a JSON syntax error with line and column', () => {
    const issues = issuesOf(parseConfigText('{\n  "train": {"lr": 1,}\n}', 'json'));
    expect(issues).toHaveLength(1);
    expect(issues[0].message).toMatch(/^JSON syntax: /);
    // Column 21 is the "}" after the trailing comma.
    expect(issues[0]).toMatchObject({ path: '', line: 2, column: 21 });
    const truncated = issuesOf(parseConfigText('{"train": {', 'json'));
    expect(truncated[0].line).toBe(1);
    // V8 gives no position for "Unexpected token": it is found by bisecting prefixes, and the echoed text is dropped.
    const token = issuesOf(parseConfigText('{\n  "seed": 1,\n  "name": nope\n}', 'json'));
    expect(token).toEqual([{ path: '', message: "JSON syntax: Unexpected token 'o'", line: 3, column: 12, endLine: 3, endColumn: 13 }]);
  });

  it('locates invalid values in JSON text', () => {
    const issues = issuesOf(parseConfigText('{\n  "model": {\n    "n_layer": "four"\n  }\n}\n', 'json'));
    expect(issues).toEqual([{ path: 'model.n_layer', message: expect.stringMatching(/number/), line: 3, column: 16, endLine: 3, endColumn: 22 }]);
  });

  it('rejects YAML-only syntax when told the text is JSON', () => {
    expect(parseConfigText('train:\n  lr: 1\n', 'json').ok).toBe(false);
  });

  it('picks the format from the file name', () => {
    expect(formatForFile('base.JSON')).toBe('json');
    expect(formatForFile('base.yaml')).toBe('yaml');
    expect(formatForFile('base.yml')).toBe('yaml');
  });
});

describe('stringifyConfig', () => {
  const config = RunConfig.parse({ name: 'b', train: { lr: 3e-4, eps: 1e-8, dispersion: { weight: 0.1 } }, model: { bias: false } });

  it('round-trips through parseConfigText, in YAML and JSON', () => {
    for (const format of ['yaml', 'json'] as const) {
      const result = parseConfigText(stringifyConfig(config, format), format);
      expect(result).toEqual({ ok: true, config });
    }
  });

  it('refuses an option its family does not have, on its line', () => {
    const result = parseConfigText('train:\n  optimizer: muon\nmodel:\n  family: mamba\n  moe: { experts: 4 }\n', 'yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => [i.path, i.line])).toEqual([['model.moe', 5]]);
    expect(result.issues[0]!.message).toBe('a mixture-of-experts MLP is for the gpt and llama families (a Mamba block has no MLP)');
  });

  it('accepts a mixture of experts, and refuses more experts per token than there are, on its line', () => {
    const moe = parseConfigText(stringifyConfig(RunConfig.parse({ model: { moe: { experts: 8 } } }), 'json'), 'json');
    expect(moe.ok).toBe(true);
    const tooMany = parseConfigText('model:\n  family: llama\n  moe:\n    experts: 2\n    top_k: 3\n', 'yaml');
    expect(tooMany.ok === false && tooMany.issues.map((i) => [i.path, i.line, i.message])).toEqual([['model.moe.top_k', 5, 'top_k must not exceed experts']]);
  });

  it('prints keys in schema order whatever the input order, so equal configs print equal text', () => {
    const shuffled = JSON.parse(
      JSON.stringify({ alerts: config.alerts, train: { ...config.train }, model: config.model, seed: config.seed, name: 'b', data: config.data, checkpoint: config.checkpoint, eval: config.eval, backend: config.backend, init_from: config.init_from }),
    ) as RunConfig;
    expect(stringifyConfig(shuffled)).toBe(stringifyConfig(config));
    const text = stringifyConfig(config);
    const topKeys = text.split('\n').filter((l) => /^[a-z_]+:/.test(l)).map((l) => l.split(':')[0]);
    expect(topKeys).toEqual(['name', 'seed', 'backend', 'data', 'model', 'train', 'eval', 'checkpoint', 'alerts', 'init_from']);
    expect(text).toContain('  lr: 0.0003\n');
    expect(text).toContain('  eps: 1e-8\n');
  });
});
