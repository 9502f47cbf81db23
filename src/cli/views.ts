// What `loupe runs` and `loupe show` print: a compact table, and a run's full record (JSON or readable text).
// Stored text (names, notes, errors, alert messages) is printed with its control characters escaped.
import type { Services } from '../main/services.ts';
import type { RunSummary } from '../shared/runs.ts';
import type { Alert } from '../shared/alerts.ts';
import type { RunConfig } from '../shared/config.ts';
import type { CheckpointInfo } from '../shared/api/runs.ts';
import { MetricKey } from '../shared/metrics.ts';
import { ComputeKey } from '../shared/compute.ts';
import { formatAlertLine } from '../main/monitor/index.ts';
import { escapeUnprintable } from '../shared/printable.ts';
import { activeParamsOf } from '../shared/models/registry.ts';

const num = (v: number | null, d = 4): string => (v === null ? '–' : v.toFixed(d));
/** One terminal line, whatever the text holds. */
const line = (s: string): string => escapeUnprintable(s);
/** Free text over several lines, each continuation indented under its label. */
const block = (s: string, indent: string): string => escapeUnprintable(s, { keepLines: true }).replace(/\n/g, `\n${indent}`);

export function formatRunsTable(runs: RunSummary[]): string {
  if (runs.length === 0) return 'no runs yet: try `loupe baseline`\n';
  const rows = runs.map((r) => [
    r.id,
    ((name) => (name.length > 32 ? `${name.slice(0, 31)}…` : name))(line(r.name)),
    r.status,
    `${r.steps}/${r.plannedSteps}`,
    num(r.lastTrainLoss),
    num(r.lastValLoss),
    num(r.bestValLoss),
    r.backend ?? '–',
    r.alertCount > r.warningCount ? `${r.warningCount} (+${r.alertCount - r.warningCount} info)` : String(r.warningCount),
    new Date(r.createdAt).toISOString().slice(0, 16).replace('T', ' '),
  ]);
  const head = ['ID', 'NAME', 'STATUS', 'STEPS', 'TRAIN', 'VAL', 'BEST VAL', 'BACKEND', 'ALERTS', 'CREATED (UTC)'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const row = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return `${[row(head), ...rows.map(row)].join('\n')}\n`;
}

export interface ShowJson {
  run: RunSummary;
  config: RunConfig;
  final: { step: number; train_loss: number | null; val_loss: number | null; val_step: number | null };
  best: { val_loss: number | null; step: number | null };
  alerts: Alert[];
  checkpoints: CheckpointInfo[];
  metric_keys: string[];
  /** Parameters a token uses: run.params less the experts a mixture-of-experts MLP does not route it to (= params when dense). */
  params_active: number | null;
  /** Runs from elsewhere: the config as the job logged it. */
  source_config?: Record<string, unknown>;
  /** At the last eval: training FLOPs spent, FLOPs per token, epochs over the training split; null without one. */
  compute: { step: number; flops: number | null; flops_per_token: number | null; epochs: number | null } | null;
}

function lastOf(series: { steps: number[]; values: (number | string)[] } | undefined): { step: number; value: number } | null {
  if (!series || series.steps.length === 0) return null;
  return { step: series.steps[series.steps.length - 1]!, value: Number(series.values[series.values.length - 1]) };
}

export function showJson(s: Services, runId: string): ShowJson {
  const d = s.runs.get(runId);
  return {
    run: d.run,
    config: d.config,
    final: { step: d.run.steps, train_loss: d.run.lastTrainLoss, val_loss: d.run.lastValLoss, val_step: d.run.lastValStep },
    // After initialisation only: the eval at step 0 is not a best.
    best: { val_loss: d.run.bestValLoss, step: d.run.bestValStep },
    alerts: d.alerts,
    checkpoints: d.checkpoints,
    metric_keys: d.metricKeys,
    params_active: d.run.params === null ? null : activeParamsOf(d.config.model, d.run.params),
    ...(d.sourceConfig ? { source_config: d.sourceConfig } : {}),
    compute: computeAtLastEval(s, runId),
  };
}

function computeAtLastEval(s: Services, runId: string): ShowJson['compute'] {
  const [flops, epochs, tokens] = s.runs.metrics(runId, [ComputeKey.flops, ComputeKey.epochs, MetricKey.tokensSeen]);
  const f = lastOf(flops);
  const e = lastOf(epochs);
  const at = f ?? e;
  if (!at) return null;
  const i = tokens!.steps.lastIndexOf(at.step);
  const seen = i >= 0 ? Number(tokens!.values[i]) : null;
  return { step: at.step, flops: f?.value ?? null, flops_per_token: f && seen ? f.value / seen : null, epochs: e?.value ?? null };
}

export function formatShow(v: ShowJson, toYaml: (x: unknown) => string): string {
  const r = v.run;
  const out = [
    `run ${r.id}  ${line(r.name)}`,
    `status      ${r.status}${r.error ? ` (${line(r.error)})` : ''}`,
    `steps       ${r.steps}/${r.plannedSteps}   tokens seen ${r.tokensSeen}`,
    `backend     ${r.backend ?? '–'}${r.backendReason ? ` (${line(r.backendReason)})` : ''}`,
    `params      ${r.params ?? '–'}${v.params_active !== null && v.params_active !== r.params ? ` (${v.params_active} active)` : ''}`,
    ...(v.compute
      ? [
          `compute     ${v.compute.flops === null ? '–' : v.compute.flops.toExponential(2)} FLOPs` +
            `${v.compute.flops_per_token === null ? '' : ` (${v.compute.flops_per_token.toExponential(2)} per token)`}` +
            `, ${v.compute.epochs === null ? '–' : v.compute.epochs.toFixed(3)} epochs at step ${v.compute.step}`,
        ]
      : []),
    `final       train ${num(v.final.train_loss)}  val ${num(v.final.val_loss)}${v.final.val_step === null ? '' : ` (at step ${v.final.val_step})`}`,
    `best val    ${v.best.val_loss === null ? '– (no eval after initialisation)' : `${num(v.best.val_loss)} at step ${v.best.step}`}`,
    `created     ${new Date(r.createdAt).toISOString()}`,
  ];
  if (r.hypothesis) out.push(`hypothesis  ${block(r.hypothesis, ' '.repeat(12))}`);
  if (r.notes) out.push(`notes       ${block(r.notes, ' '.repeat(12))}`);
  out.push('', `alerts (${v.alerts.length})`, ...v.alerts.map((a) => `  ${line(formatAlertLine(a))}`));
  out.push('', `checkpoints (${v.checkpoints.length})`, ...v.checkpoints.map((c) => `  step ${c.step}  val ${num(c.valLoss)}  ${line(c.path)}`));
  out.push('', 'config:', ...toYaml(v.config).trimEnd().split('\n').map((l) => `  ${line(l)}`));
  return `${out.join('\n')}\n`;
}
