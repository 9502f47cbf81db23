// JSON Schema of the run config, generated from the same zod schema main validates with, so the editor's
// autocomplete, hover docs and inline errors (monaco-yaml) agree with what the engine accepts.
import { z } from 'zod';
import { RunConfig } from './config.ts';

/** The subset of a (draft-07) JSON Schema node this module reads and writes. */
export interface JsonSchemaNode {
  [keyword: string]: unknown;
  type?: string | string[];
  title?: string;
  description?: string;
  markdownDescription?: string;
  default?: unknown;
  properties?: Record<string, JsonSchemaNode>;
  anyOf?: JsonSchemaNode[];
  enum?: unknown[];
  const?: unknown;
}

/** The URI monaco-yaml associates with config documents (any stable string works; nothing is fetched). */
export const CONFIG_SCHEMA_URI = 'loupe://schemas/run-config.json';

/**
 * Cross-field rules of the zod schema that JSON Schema (draft-07) cannot express. The editor still reports
 * them, with their line, through parseConfigText (which runs zod); the schema alone accepts such configs.
 */
export const CROSS_FIELD_RULES = [
  'model.d_model must be divisible by model.n_head',
  'train.min_lr must not exceed train.lr',
  'train.warmup_steps must not exceed train.steps',
] as const;

function formatDefault(value: unknown): string {
  return typeof value === 'object' && value !== null ? 'see the fields below' : `\`${JSON.stringify(value)}\``;
}

/** Adds a title (the dotted field path) and a markdown hover text carrying the default to every property. */
function decorate(node: JsonSchemaNode, path: string[]): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const childPath = [...path, key];
    child.title = childPath.join('.');
    const description = child.description ?? '';
    child.description = description;
    const defaultLine = child.default === undefined ? '' : `\n\nDefault: ${formatDefault(child.default)}`;
    child.markdownDescription = `${description}${defaultLine}`;
    decorate(child, childPath);
  }
}

/** Builds the draft-07 JSON Schema of the *input* side of RunConfig: every field optional, defaults shown. */
export function buildConfigJsonSchema(): JsonSchemaNode {
  const generated = z.toJSONSchema(RunConfig, { io: 'input', target: 'draft-07', unrepresentable: 'throw' });
  // A deep copy so callers (and decorate) never touch zod's cached output.
  const schema = JSON.parse(JSON.stringify(generated)) as JsonSchemaNode;
  schema.title = 'Loupe run config';
  schema.description =
    'One training run. Every field has a default; write only what differs from it. ' +
    `Rules checked beyond this schema: ${CROSS_FIELD_RULES.join('; ')}.`;
  decorate(schema, []);
  return schema;
}

let cached: JsonSchemaNode | undefined;

/** The schema, built once; treat it as read-only (build a fresh one with buildConfigJsonSchema to modify it). */
export function configJsonSchema(): JsonSchemaNode {
  cached ??= buildConfigJsonSchema();
  return cached;
}

export interface SchemaLeaf {
  /** Dotted path, e.g. "train.lr". */
  path: string;
  node: JsonSchemaNode;
}

/** Every leaf field (a property without sub-properties), in schema order; optional objects (model.moe) included. */
export function schemaLeaves(schema: JsonSchemaNode = configJsonSchema()): SchemaLeaf[] {
  const leaves: SchemaLeaf[] = [];
  const walk = (node: JsonSchemaNode, path: string[]): void => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      if (child.properties) walk(child, [...path, key]);
      else leaves.push({ path: [...path, key].join('.'), node: child });
    }
  };
  walk(schema, []);
  return leaves;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The known key closest to a misspelt one (for "did you mean" hints), or undefined when none is close. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** Field names allowed directly under a dotted object path ("" for the root); empty when it is no object. */
export function knownKeysAt(path: string, schema: JsonSchemaNode = configJsonSchema()): string[] {
  const node = path === '' ? schema : schemaNodeAt(path, schema);
  return Object.keys(node?.properties ?? {});
}

/** The schema node of a dotted field path, or undefined when the path names no field. */
export function schemaNodeAt(path: string, schema: JsonSchemaNode = configJsonSchema()): JsonSchemaNode | undefined {
  let node: JsonSchemaNode | undefined = schema;
  for (const key of path.split('.')) {
    const props: Record<string, JsonSchemaNode> | undefined = node?.properties;
    node = props && Object.hasOwn(props, key) ? props[key] : undefined;
    if (!node) return undefined;
  }
  return node;
}
