// Reads and resolves run configs for the services: YAML/JSON files, the bundled baseline, CLI overrides
// (--name, --steps, --seed) applied before validation so every problem is reported with its field path.
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { resolveConfig, formatConfigIssues, type RunConfig } from '../../shared/config.ts';
import { repoRoot } from '../repo-root.ts';
import { scaledSteps, withRunLength } from '../../shared/run-length.ts';
import { ServiceError } from './errors.ts';
import { SFT_BUILTIN } from '../engine/data/sft-builtin.ts';
import { datasetIssue } from './dataset-check.ts';
import { memoryFitIssue } from '../engine/memory-fit.ts';

const baselineConfigFile = path.join(repoRoot, 'resources', 'configs', 'baseline.yaml');
const fineTuneConfigFile = path.join(repoRoot, 'resources', 'configs', 'sft-baseline.yaml');
const maxConfigBytes = 1024 * 1024;

export interface Overrides {
  name?: string;
  /** Run length: train.steps, with warmup, eval and checkpoint cadence rescaled to match (src/shared/run-length.ts). */
  steps?: number;
  /** Run length as a factor of the config's own steps (0.05 → 2000 steps become 100); not with steps. */
  scale?: number;
  seed?: number;
}

/** Parses a .yaml/.yml/.json config file into plain data; relative corpus paths resolve against the file's folder. */
export function readConfigFile(file: string): unknown {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new ServiceError('bad_request', `config ${file} is not a file`);
    if (st.size > maxConfigBytes) throw new ServiceError('bad_request', `config ${file} is too large (${st.size} bytes; limit 1 MiB)`);
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof ServiceError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ServiceError(code === 'ENOENT' ? 'not_found' : 'bad_request', code === 'ENOENT' ? `config file ${file} not found` : `cannot read config file ${file} (${code ?? 'error'})`);
  }
  let data: unknown;
  const ext = path.extname(file).toLowerCase();
  try {
    if (text.trim() === '') data = null;
    else if (ext === '.json') data = JSON.parse(text);
    else if (ext === '.yaml' || ext === '.yml') data = parseYaml(text, { maxAliasCount: 100 });
    else throw new ServiceError('bad_request', `config ${file} must end in .yaml, .yml or .json`);
  } catch (e) {
    if (e instanceof ServiceError) throw e;
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new ServiceError('bad_request', `config ${file} is not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${msg}`);
  }
  // Every field has a default, so an empty file would quietly mean the full default run: say so instead.
  if (data === null || data === undefined) {
    throw new ServiceError(
      'bad_request',
      `config ${file} is empty; write the fields that differ from the defaults (for example \`name: my-run\`), or train the defaults with \`loupe baseline\``,
    );
  }
  return resolveCorpusPath(data, path.dirname(path.resolve(file)));
}

function resolveCorpusPath(data: unknown, baseDir: string): unknown {
  if (!isRecord(data) || !isRecord(data.data) || typeof data.data.corpus !== 'string') return data;
  const resolveOne = (corpus: string): string => (corpus === 'moby-dick' || corpus === SFT_BUILTIN || path.isAbsolute(corpus) ? corpus : path.resolve(baseDir, corpus));
  const mix = isRecord(data.data.mix) && typeof data.data.mix.corpus === 'string' ? { ...data.data.mix, corpus: resolveOne(data.data.mix.corpus) } : data.data.mix;
  return { ...data, data: { ...data.data, corpus: resolveOne(data.data.corpus), ...(mix === undefined ? {} : { mix }) } };
}

export function readBaselineConfig(): unknown {
  return readConfigFile(baselineConfigFile);
}

/** The one-click fine-tuning recipe: the baseline's model on the built-in question–answer set. */
export function readFineTuneConfig(): unknown {
  return readConfigFile(fineTuneConfigFile);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates raw config data with the overrides applied. A run length (steps or scale) rescales warmup, eval and
 * checkpoint cadence with the steps, so a short run keeps the recipe's shape.
 */
export function resolveWithOverrides(input: unknown, o: Overrides = {}): RunConfig {
  const first = resolveConfig(input);
  if (!first.ok) throw invalid(first.issues);
  const base = first.config;
  if (o.steps !== undefined && o.scale !== undefined) throw new ServiceError('bad_request', 'give the run length as steps or as a scale, not both');
  if (o.scale !== undefined && !(Number.isFinite(o.scale) && o.scale > 0)) throw new ServiceError('bad_request', `scale must be a positive number (got ${o.scale})`);
  const steps = o.steps ?? (o.scale !== undefined ? scaledSteps(base.train.steps, o.scale) : undefined);
  const raw: Record<string, unknown> = steps !== undefined ? structuredClone(withRunLength(base, steps)) : isRecord(input) ? structuredClone(input) : {};
  if (o.name !== undefined) raw.name = o.name;
  if (o.seed !== undefined) raw.seed = o.seed;
  const second = resolveConfig(raw);
  if (!second.ok) throw invalid(second.issues);
  const fit = memoryFitIssue(second.config);
  if (fit) throw invalid([fit]);
  checkCorpus(second.config);
  return second.config;
}

function invalid(issues: { path: string; message: string }[]): ServiceError {
  return new ServiceError('bad_request', `invalid config:\n${formatConfigIssues(issues)}`, issues);
}

/** A missing, unreadable or unusable dataset is caught here, by name, rather than as a failed run a second later. */
export function checkCorpus(config: RunConfig): void {
  const corpus = config.data.corpus;
  if (corpus !== 'moby-dick' && corpus !== SFT_BUILTIN) checkCorpusFile(corpus);
  const mix = config.data.mix?.corpus;
  if (mix !== undefined && mix !== 'moby-dick') checkCorpusFile(mix, 'data.mix.corpus');
  const issue = datasetIssue(config);
  if (issue) throw new ServiceError('bad_request', `dataset ${corpus}: ${issue.message} (data.corpus)`, [issue]);
}

function checkCorpusFile(corpus: string, field = 'data.corpus'): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(corpus);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ServiceError('not_found', `dataset file ${corpus} not found (${field})`, [{ path: field, message: `file ${corpus} not found` }]);
    }
    throw new ServiceError('bad_request', `cannot read dataset file ${corpus} (${code ?? 'error'}) (${field})`, [{ path: field, message: `cannot read ${corpus}` }]);
  }
  if (st.isDirectory()) {
    throw new ServiceError('bad_request', `dataset ${corpus} is a directory; ${field} must name one text file`, [{ path: field, message: `${corpus} is a directory, not a file` }]);
  }
  if (!st.isFile()) {
    throw new ServiceError('bad_request', `dataset ${corpus} is not a regular file (${field})`, [{ path: field, message: `${corpus} is not a regular file` }]);
  }
}
