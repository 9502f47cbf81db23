// View model of the "new run from a baseline" editor: editor text → resolved candidate + live review, and the
// sweep launcher's form → a checked one-variable sweep plan. Pure, so the page only renders what this returns.
import { reviewCandidate, expandSweep, experimentalChanges, parseVary, sweepGroupName, formatCompactNumber, formatParamCount } from '../../../shared/ablation/index.ts';
import type { CandidateReview, ConfigChange, Vary, VaryValue } from '../../../shared/ablation/index.ts';
import { RunConfig, resolveConfig } from '../../../shared/config.ts';
import { parseConfigText } from '../../../shared/config-yaml.ts';
import type { TextConfigIssue } from '../../../shared/config-yaml.ts';
import { schemaLeaves } from '../../../shared/config-schema.ts';
import { parseDocument } from 'yaml';
import { rescaleCount, RUN_LENGTH_FIELDS } from '../../../shared/run-length.ts';
import { estimateDuration, formatDuration, formatFlops, runBudget, type PastRunSpeed } from '../../../shared/run-budget.ts';

export type CandidateEvaluation =
  | { ok: true; config: RunConfig; review: CandidateReview }
  | { ok: false; issues: TextConfigIssue[] };

/** Parses the editor text and, when it is a valid config, reviews it against the baseline. Never throws. */
export function evaluateCandidate(base: RunConfig, text: string): CandidateEvaluation {
  const parsed = parseConfigText(text, 'yaml');
  if (!parsed.ok) return { ok: false, issues: parsed.issues };
  return { ok: true, config: parsed.config, review: reviewCandidate(base, parsed.config) };
}

/** A stored run config (untrusted: older runs may predate a field) as a resolved RunConfig, or an error line. */
export function baselineConfig(stored: unknown): { ok: true; config: RunConfig } | { ok: false; error: string } {
  const resolved = resolveConfig(stored);
  if (resolved.ok) return resolved;
  return { ok: false, error: `the baseline's stored config does not validate: ${resolved.issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}` };
}

/** The defaults: the baseline when no run is picked. */
export function defaultConfig(): RunConfig {
  return RunConfig.parse({});
}

/** One issue as the editor's marker text: the field path first, so the message says where. */
export function issueMessage(issue: TextConfigIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

/** A changed value as short text for the changes list ("unset" where the field is absent on that side). */
export function formatChangeValue(value: unknown): string {
  if (value === undefined) return 'unset';
  if (typeof value === 'number') return formatCompactNumber(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

export interface ReadoutLine {
  label: string;
  value: string;
  /** The baseline's value when it differs. */
  base: string | null;
  hint?: string;
}

/** Total parameters, and the active ones where a mixture of experts routes each token to a few. */
function formatParams(p: { total: number; active: number }): string {
  return p.active === p.total ? formatParamCount(p.total) : `${formatParamCount(p.total)} (${formatParamCount(p.active)} active)`;
}

/** The live readout: parameters, tokens per update and (when the batch or block changed) the √-rule LR. */
export function readout(review: CandidateReview, candidateLr: number): ReadoutLine[] {
  const params = review.params.ok ? formatParams(review.params) : '—';
  const baseParams = review.baseParams.ok ? formatParams(review.baseParams) : '—';
  const lines: ReadoutLine[] = [
    {
      label: 'Parameters',
      value: params,
      base: params !== baseParams ? baseParams : null,
      hint: review.params.ok ? undefined : review.params.reason,
    },
    {
      label: 'Tokens / update',
      value: review.tokensPerUpdate.toLocaleString('en-US'),
      base: review.tokensPerUpdate !== review.baseTokensPerUpdate ? review.baseTokensPerUpdate.toLocaleString('en-US') : null,
      hint: 'micro-batch × accumulation × block',
    },
  ];
  if (review.lrSuggestion) {
    const s = review.lrSuggestion;
    lines.push({
      label: '√-rule LR',
      value: formatCompactNumber(Number(s.lr.toPrecision(3))),
      base: null,
      hint:
        `tokens per update ×${Number(s.ratio.toPrecision(3))} → lr × √${Number(s.ratio.toPrecision(3))}` +
        (review.lrFollowsSqrtRule ? ' (your lr follows it)' : ` (your lr is ${formatCompactNumber(candidateLr)})`),
    });
  }
  return lines;
}

/** Fields a sweep may vary: every leaf but name and seed (seeds are the sweep's other axis). */
export function sweepableFields(): { path: string; description: string }[] {
  return schemaLeaves()
    .filter((leaf) => leaf.path !== 'name' && leaf.path !== 'seed')
    .map((leaf) => ({ path: leaf.path, description: leaf.node.description ?? '' }));
}

/** The sweep a single-field edit suggests: that field over the baseline's value and the new one. */
export function sweepFromChanges(changes: readonly ConfigChange[]): { field: string; values: string } | null {
  const experimental = experimentalChanges(changes);
  if (experimental.length !== 1) return null;
  const [c] = experimental;
  if (!isVaryValue(c.from) || !isVaryValue(c.to)) return null;
  return { field: c.path, values: [c.from, c.to].map((v) => (typeof v === 'number' ? formatCompactNumber(v) : String(v))).join(', ') };
}

function isVaryValue(v: unknown): v is VaryValue {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

export interface SweepPlan {
  vary: Vary;
  seeds: number;
  groupName: string;
  /** The run names the sweep will queue, values outer and seeds inner. */
  runNames: string[];
}

/** Checks the launcher's form the way the sweep request will: field, values, seeds, and every expanded config. */
export function planSweep(base: RunConfig, field: string, valuesText: string, seeds: number, groupName: string): { ok: true; plan: SweepPlan } | { ok: false; error: string } {
  if (!field) return { ok: false, error: 'pick the one field to vary' };
  if (!valuesText.trim()) return { ok: false, error: `list the values of ${field}, separated by commas` };
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 20) return { ok: false, error: 'seeds must be a whole number from 1 to 20' };
  const parsed = parseVary(`${field}=${valuesText}`);
  if (!parsed.ok) return { ok: false, error: parsed.error.replace(/^--vary /, '') };
  const expanded = expandSweep(base, parsed.vary, seeds);
  if (!expanded.ok) return { ok: false, error: expanded.error.replace(/^--vary /, '') };
  const name = groupName.trim() || sweepGroupName(parsed.vary);
  return { ok: true, plan: { vary: parsed.vary, seeds, groupName: name, runNames: expanded.runs.map((r) => r.name) } };
}

/** Total tokens, training FLOPs and how long that took here before (from finished runs' throughput). */
export function budgetReadout(config: RunConfig, past: readonly PastRunSpeed[]): ReadoutLine[] {
  const budget = runBudget(config);
  const lines: ReadoutLine[] = [
    { label: 'Total tokens', value: formatCompactNumber(budget.tokens), base: null, hint: `${config.train.steps} steps × tokens per update` },
  ];
  if (budget.flops === null) return lines;
  lines.push({ label: 'Training FLOPs', value: formatFlops(budget.flops), base: null, hint: '≈ 6 × parameters × tokens, plus attention' });
  const eta = estimateDuration(budget.flops, past);
  lines.push(
    eta
      ? {
          label: 'Est. duration',
          value: `≈ ${formatDuration(eta.seconds)}`,
          base: null,
          hint: `at the median speed of the last ${eta.basedOn} finished run${eta.basedOn === 1 ? '' : 's'} on this machine${eta.backend ? ` (${eta.backend})` : ''}; evals come on top`,
        }
      : { label: 'Est. duration', value: '—', base: null, hint: 'known once a run has finished on this machine' },
  );
  return lines;
}

/**
 * The editor text with a new run length: train.steps and the fields that follow it (warmup, eval and checkpoint
 * cadence) set in place, everything else (comments, order) left as it is. null when the text is not a valid config.
 * A follower still at the baseline's value is rescaled from the baseline's length (steps may have been edited alone,
 * leaving warmup sized for the long run); one edited by hand is rescaled from the current length.
 */
export function setRunLengthText(text: string, steps: number, base?: RunConfig): string | null {
  const parsed = parseConfigText(text, 'yaml');
  if (!parsed.ok || !Number.isInteger(steps) || steps < 1) return null;
  const current = parsed.config;
  const leaves = (c: RunConfig): Record<string, number> => ({
    'train.warmup_steps': c.train.warmup_steps,
    'eval.every': c.eval.every,
    'checkpoint.every': c.checkpoint.every,
  });
  const now = leaves(current);
  const was = base ? leaves(base) : null;
  const doc = parseDocument(text);
  const at = (path: string): string[] => path.split('.');
  doc.setIn(at('train.steps'), steps);
  for (const [path, min] of Object.entries(RUN_LENGTH_FIELDS)) {
    const fromSteps = base && was && was[path] === now[path] ? base.train.steps : current.train.steps;
    doc.setIn(at(path), rescaleCount(now[path]!, fromSteps, steps, min));
  }
  return doc.toString();
}
