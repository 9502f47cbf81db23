// Config text (YAML or JSON, from the editor or a CLI file) → resolved config, with every problem located
// by field path and line/column; and resolved config → canonical YAML for display and the diff editor.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, stringify } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { RunConfig } from './config.ts';
import type { ConfigIssue } from './config.ts';
import { closestKey, configJsonSchema, knownKeysAt } from './config-schema.ts';
import { unbuiltOptions } from './models/registry.ts';
import type { JsonSchemaNode } from './config-schema.ts';

export type ConfigFormat = 'yaml' | 'json';

export interface TextConfigIssue extends ConfigIssue {
  /** 1-based line in the text, when the problem can be located. */
  line?: number;
  /** 1-based column in the text, when the problem can be located. */
  column?: number;
  /** Where the offending node ends (1-based, exclusive column), for editor squiggles; absent when unknown. */
  endLine?: number;
  endColumn?: number;
}

export type TextConfigResult = { ok: true; config: RunConfig } | { ok: false; issues: TextConfigIssue[] };

/** Configs are untrusted input: anything larger than this is refused before parsing. */
export const MAX_CONFIG_CHARS = 256 * 1024;
/** YAML aliases can expand exponentially ("billion laughs"); more than this many is refused. */
const MAX_ALIAS_COUNT = 100;

/** Picks the format from a file name: .json is JSON, everything else YAML. */
export function formatForFile(fileName: string): ConfigFormat {
  return fileName.toLowerCase().endsWith('.json') ? 'json' : 'yaml';
}

interface Location {
  line: number;
  column: number;
}

function offsetToLocation(text: string, offset: number): Location {
  // A plain scan: syntax errors are rare and texts small (MAX_CONFIG_CHARS).
  const clamped = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < clamped; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: clamped - lineStart + 1 };
}

function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}

/** Where a field path sits in the document: the value node, or the key when the value is absent or the key is the problem. */
interface Located {
  keyRange?: [number, number];
  valueRange?: [number, number];
  /** How many path segments were found; fewer than the path length means the nearest ancestor. */
  depth: number;
}

function rangeOf(node: unknown): [number, number] | undefined {
  const range = (node as YamlNode | null | undefined)?.range;
  return range ? [range[0], range[1]] : undefined;
}

function locatePath(doc: Document, path: readonly PropertyKey[]): Located {
  let node: unknown = doc.contents;
  const found: Located = { valueRange: rangeOf(node), depth: 0 };
  for (const segment of path) {
    if (isMap(node)) {
      // The last matching pair wins, as in JSON.parse and in YAML maps that allow duplicates.
      const pair = [...node.items].reverse().find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      found.keyRange = rangeOf(pair.key);
      found.valueRange = rangeOf(pair.value);
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (item === undefined) break;
      found.keyRange = undefined;
      found.valueRange = rangeOf(item);
      node = item;
    } else break;
    found.depth++;
  }
  return found;
}

type IssueLocation = Pick<TextConfigIssue, 'line' | 'column' | 'endLine' | 'endColumn'>;

function locationOf(doc: Document | undefined, lineCounter: LineCounter, path: readonly PropertyKey[], preferKey: boolean): IssueLocation {
  if (!doc) return {};
  const found = locatePath(doc, path);
  const complete = found.depth === path.length;
  const range = preferKey || !complete ? (found.keyRange ?? found.valueRange) : (found.valueRange ?? found.keyRange);
  if (!range) return {};
  const start = lineCounter.linePos(range[0]);
  const end = lineCounter.linePos(range[1]);
  if (start.line <= 0) return {};
  return { line: start.line, column: start.col, ...(end.line > 0 ? { endLine: end.line, endColumn: end.col } : {}) };
}

function spanOf(text: string, start: number, end: number): IssueLocation {
  const from = offsetToLocation(text, start);
  const to = offsetToLocation(text, Math.max(start, end));
  return { line: from.line, column: from.column, endLine: to.line, endColumn: to.column };
}

function issuesFromZod(error: z.ZodError, doc: Document | undefined, lineCounter: LineCounter, schema: JsonSchemaNode) {
  const issues: TextConfigIssue[] = [];
  for (const issue of error.issues) {
    const parentPath = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      // One issue per unknown key, located on the key itself, with a hint when it looks like a typo.
      const known = knownKeysAt(parentPath, schema);
      for (const key of issue.keys) {
        const hint = closestKey(key, known);
        issues.push({
          path: parentPath ? `${parentPath}.${key}` : key,
          message: `unknown field "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}`,
          ...locationOf(doc, lineCounter, [...issue.path, key], true),
        });
      }
      continue;
    }
    issues.push({ path: parentPath, message: issue.message, ...locationOf(doc, lineCounter, issue.path, false) });
  }
  return issues;
}

function validate(value: unknown, doc: Document | undefined, lineCounter: LineCounter): TextConfigResult {
  const parsed = RunConfig.safeParse(value ?? {});
  const issues: TextConfigIssue[] = parsed.success
    ? unbuiltOptions(parsed.data).map((i) => ({ ...i, ...locationOf(doc, lineCounter, i.path.split('.'), false) }))
    : issuesFromZod(parsed.error, doc, lineCounter, configJsonSchema());
  if (parsed.success && issues.length === 0) return { ok: true, config: parsed.data };
  // Top to bottom, as the editor's problem list reads; unlocated issues last.
  const unlocated = Number.MAX_SAFE_INTEGER;
  issues.sort((a, b) => (a.line ?? unlocated) - (b.line ?? unlocated) || (a.column ?? 0) - (b.column ?? 0));
  return { ok: false, issues };
}

function parseYaml(text: string): TextConfigResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => ({
        path: '',
        message: `YAML syntax: ${firstLine(e.message)}`,
        ...spanOf(text, e.pos[0], e.pos[1]),
      })),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    return { ok: false, issues: [{ path: '', message: `YAML: ${firstLine(e instanceof Error ? e.message : String(e))}` }] };
  }
  return validate(value, doc, lineCounter);
}

function syntaxErrorPosition(error: unknown): number | undefined {
  const at = /at position (\d+)/.exec(error instanceof Error ? error.message : '');
  return at ? Number(at[1]) : undefined;
}

/** Whether JSON.parse fails on this prefix for a reason other than the text ending early. */
function brokenPrefix(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return false;
  } catch (e) {
    const position = syntaxErrorPosition(e);
    if (position !== undefined) return position < prefix.length;
    return !/end of JSON input/.test(e instanceof Error ? e.message : '');
  }
}

/**
 * The offset of a JSON syntax error. V8 gives it in most messages, but not for "Unexpected token 'x'"; then the
 * shortest broken prefix (binary search: every longer prefix is broken too) ends just after the bad token.
 */
function jsonErrorOffset(text: string, error: unknown): number {
  const position = syntaxErrorPosition(error);
  if (position !== undefined) return position;
  let lo = 1;
  let hi = text.length;
  if (!brokenPrefix(text)) return text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (brokenPrefix(text.slice(0, mid))) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

function parseJson(text: string): TextConfigResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // V8 echoes (part of) the text in "Unexpected token" messages; the location says it better.
    const message = firstLine((e instanceof Error ? e.message : String(e)).replace(/, (\.\.\.)?"[^]*" is not valid JSON$/, ''));
    const offset = jsonErrorOffset(text, e);
    return { ok: false, issues: [{ path: '', message: `JSON syntax: ${message}`, ...spanOf(text, offset, offset + 1) }] };
  }
  // JSON is (nearly) YAML flow syntax, so the yaml parser gives the node ranges that locate field errors.
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  return validate(value, doc.errors.length === 0 ? doc : undefined, lineCounter);
}

/** Parses editor or file text into a resolved config; never throws: problems come back with path and line. */
export function parseConfigText(text: string, format: ConfigFormat): TextConfigResult {
  if (text.length > MAX_CONFIG_CHARS) {
    return { ok: false, issues: [{ path: '', message: `config text is too large (${text.length} characters; the limit is ${MAX_CONFIG_CHARS})` }] };
  }
  try {
    return format === 'json' ? parseJson(text) : parseYaml(text);
  } catch (e) {
    // Defensive: a parser bug must surface as an issue, never as a crash of the editor or the CLI.
    return { ok: false, issues: [{ path: '', message: `could not read the config: ${firstLine(e instanceof Error ? e.message : String(e))}` }] };
  }
}

/** Orders object keys as the schema declares them (unknown keys after, sorted), so equal configs print equally. */
export function canonicalOrder(value: unknown, schema: JsonSchemaNode | undefined = configJsonSchema()): unknown {
  if (Array.isArray(value)) return value.map((v) => canonicalOrder(v, undefined));
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const declared = Object.keys(schema?.properties ?? {}).filter((k) => Object.hasOwn(record, k));
  const extra = Object.keys(record)
    .filter((k) => !declared.includes(k))
    .sort();
  const ordered: Record<string, unknown> = {};
  for (const key of [...declared, ...extra]) {
    if (record[key] !== undefined) ordered[key] = canonicalOrder(record[key], schema?.properties?.[key]);
  }
  return ordered;
}

/** A config as text in the schema's key order (YAML by default), for display and the diff editor. */
export function stringifyConfig(config: RunConfig, format: ConfigFormat = 'yaml'): string {
  const ordered = canonicalOrder(config);
  return format === 'json' ? `${JSON.stringify(ordered, null, 2)}\n` : stringify(ordered, { lineWidth: 0 });
}
