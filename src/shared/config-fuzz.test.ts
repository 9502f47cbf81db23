// Fuzz: 1,000 random or mutated configs (JSON values, mutated valid configs, random and mutated YAML/JSON text).
// Each must be accepted as a valid resolved config or rejected with structured issues; nothing may throw.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RunConfig, resolveConfig } from './config.ts';
import { schemaLeaves } from './config-schema.ts';
import { parseConfigText, stringifyConfig } from './config-yaml.ts';
import type { ConfigFormat } from './config-yaml.ts';

const leafPaths = schemaLeaves().map((l) => l.path);
const defaults = RunConfig.parse({});

type Case =
  | { kind: 'value'; value: unknown }
  | { kind: 'text'; text: string; format: ConfigFormat };

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null || Array.isArray(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

function deletePath(target: Record<string, unknown>, path: string): void {
  const keys = path.split('.');
  let node: unknown = target;
  for (const key of keys.slice(0, -1)) node = (node as Record<string, unknown> | undefined)?.[key];
  if (typeof node === 'object' && node !== null) Reflect.deleteProperty(node, keys[keys.length - 1]);
}

const interestingValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.double(),
  fc.integer(),
  fc.constantFrom('auto', '', 'gpt', 'muon', 'wsd', '1e-3', true, false, null, 0, -1, 0.5, 1e-3, 2 ** 31, Number.MAX_SAFE_INTEGER + 2),
);

const mutation = fc.oneof(
  fc.record({ op: fc.constant('set' as const), path: fc.constantFrom(...leafPaths, 'model', 'train', 'model.moe', 'zzz', 'train.lr_typo'), value: interestingValue }),
  fc.record({ op: fc.constant('delete' as const), path: fc.constantFrom(...leafPaths, 'model', 'train', 'data') }),
);

/** A valid config perturbed by 1–4 set/delete mutations (most stay valid or fail on one field). */
const mutatedConfig = fc.array(mutation, { minLength: 1, maxLength: 4 }).map((mutations) => {
  const config = JSON.parse(JSON.stringify(defaults)) as Record<string, unknown>;
  for (const m of mutations) {
    if (m.op === 'set') setPath(config, m.path, m.value);
    else deletePath(config, m.path);
  }
  return config;
});

/** Text edits that break YAML/JSON in the ways typing does: insertions, deletions, re-indents, duplicated lines. */
const textEdit = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(':', '-', ' ', '\t', '\n', '{', '}', '[', ']', '"', "'", '&a', '*a', '!!binary', '#', ',', 'x: 1\n', '  ', '%YAML 1.2\n---\n', '...\n') }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ op: fc.constant('duplicate-line' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('random' as const), at: fc.nat(), text: fc.string({ maxLength: 8, unit: 'binary' }) }),
);

interface TextEdit {
  op: string;
  at: number;
  text?: string;
  length?: number;
}

function applyEdit(text: string, edit: TextEdit): string {
  const at = text.length === 0 ? 0 : edit.at % (text.length + 1);
  if (edit.op === 'delete') return text.slice(0, at) + text.slice(at + (edit.length ?? 1));
  if (edit.op === 'duplicate-line') {
    const lines = text.split('\n');
    const i = lines.length === 0 ? 0 : edit.at % lines.length;
    lines.splice(i, 0, lines[i] ?? '');
    return lines.join('\n');
  }
  return text.slice(0, at) + (edit.text ?? '') + text.slice(at);
}

const mutatedText = fc
  .tuple(mutatedConfig, fc.constantFrom<ConfigFormat>('yaml', 'json'), fc.array(textEdit, { maxLength: 3 }))
  .map(([config, format, edits]) => {
    let text = format === 'json' ? JSON.stringify(config, null, 2) : stringifyConfig(config as RunConfig);
    for (const edit of edits) text = applyEdit(text, edit);
    return { kind: 'text' as const, text, format };
  });

const cases: fc.Arbitrary<Case> = fc.oneof(
  fc.oneof(fc.jsonValue(), fc.anything()).map((value) => ({ kind: 'value' as const, value })),
  mutatedConfig.map((value) => ({ kind: 'value' as const, value })),
  mutatedText,
  fc
    .tuple(fc.string({ maxLength: 200, unit: 'binary' }), fc.constantFrom<ConfigFormat>('yaml', 'json'))
    .map(([text, format]) => ({ kind: 'text' as const, text, format })),
);

function checkIssue(issue: { path: unknown; message: unknown; line?: unknown; column?: unknown }, lineCount: number): void {
  expect(typeof issue.path).toBe('string');
  expect(typeof issue.message).toBe('string');
  expect((issue.message as string).length).toBeGreaterThan(0);
  expect(issue.message as string).not.toContain('\n');
  if (issue.line !== undefined) {
    expect(Number.isInteger(issue.line) && (issue.line as number) >= 1 && (issue.line as number) <= lineCount).toBe(true);
    expect(Number.isInteger(issue.column) && (issue.column as number) >= 1).toBe(true);
  }
}

describe('config fuzz', () => {
  it('accepts or rejects 1,000 random/mutated configs with structured errors, never throwing', () => {
    const counts = { accepted: 0, rejected: 0 };
    fc.assert(
      fc.property(cases, (c) => {
        const result = c.kind === 'value' ? resolveConfig(c.value) : parseConfigText(c.text, c.format);
        if (result.ok) {
          counts.accepted++;
          expect(RunConfig.safeParse(result.config).success).toBe(true);
          // A resolved config prints and reads back to itself.
          expect(parseConfigText(stringifyConfig(result.config), 'yaml')).toEqual({ ok: true, config: result.config });
        } else {
          counts.rejected++;
          expect(result.issues.length).toBeGreaterThan(0);
          const lineCount = c.kind === 'text' ? c.text.split(/\r\n|\r|\n/).length + 1 : 0;
          for (const issue of result.issues) checkIssue(issue, lineCount);
        }
      }),
      { numRuns: 1000, seed: 20261122 },
    );
    // Both outcomes must be exercised, or the fuzz proves little.
    expect(counts.accepted).toBeGreaterThan(50);
    expect(counts.rejected).toBeGreaterThan(300);
  });
});
