// One training session in the terminal: follows a queued run to its end with live progress and alerts,
// turns Ctrl-C into a clean stop (checkpoint, 'stopped', resumable) and prints the summary.
import type { Services } from '../main/services.ts';
import type { RunSummary } from '../shared/runs.ts';
import type { Alert } from '../shared/alerts.ts';
import { fromWire, MetricKey } from '../shared/metrics.ts';
import { formatAlertLine } from '../main/monitor/index.ts';
import { createProgress, type ProgressState } from './progress.ts';
import { escapeUnprintable } from '../shared/printable.ts';

export interface SessionOptions {
  json: boolean;
  /** Shown before training starts, e.g. "training baseline-… as run 261122-…". */
  intro?: string;
}

export interface RunResultJson {
  run_id: string;
  name: string;
  status: string;
  steps: number;
  backend: string | null;
  params: number | null;
  train_loss: number | null;
  val_loss: number | null;
  best_val_loss: number | null;
  tokens_per_s: number | null;
  wall_s: number;
  checkpoint: string | null;
  alerts: { kind: string; severity: string; step: number; message: string }[];
}

/** Mean of the run's tokens/s over its steps: one representative speed rather than the last noisy step. */
function meanTokensPerS(services: Services, runId: string): number | null {
  const [s] = services.runs.metrics(runId, [MetricKey.tokensPerS]);
  const vals = s.values.map(fromWire).filter(Number.isFinite);
  return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null;
}

export function resultJson(services: Services, run: RunSummary, wallS: number): RunResultJson {
  const alerts = services.runs.alerts(run.id);
  return {
    run_id: run.id,
    name: run.name,
    status: run.status,
    steps: run.steps,
    backend: run.backend,
    params: run.params,
    train_loss: run.lastTrainLoss,
    val_loss: run.lastValLoss,
    best_val_loss: run.bestValLoss,
    tokens_per_s: meanTokensPerS(services, run.id),
    wall_s: Math.round(wallS * 1000) / 1000,
    checkpoint: services.runs.checkpoints(run.id).at(-1)?.path ?? null,
    alerts: alerts.map((a) => ({ kind: a.kind, severity: a.severity, step: a.step, message: a.message })),
  };
}

/** Follows `run` (already queued) until it ends; returns the exit code. */
export async function followRun(services: Services, run: RunSummary, opts: SessionOptions): Promise<number> {
  const t0 = performance.now();
  const human = opts.json ? process.stderr : process.stdout;
  const tty = Boolean(process.stderr.isTTY) && !process.env['CI'];
  const state: ProgressState = { step: run.steps, planned: run.plannedSteps, loss: run.lastTrainLoss, valLoss: run.lastValLoss, tokensPerS: null };
  const progress = createProgress({ tty, out: human, startStep: run.steps, planned: run.plannedSteps });
  // Names, log lines and alert messages carry stored or generated text: one escaped line each.
  const note = (line: string): void => progress.note(escapeUnprintable(line));
  if (opts.intro) note(opts.intro);

  const printed = new Map<string, Alert['severity']>();
  const offs = [
    services.events.on('run.metrics', (e) => {
      if (e.runId !== run.id) return;
      for (const p of e.points) {
        const v = fromWire(p.value);
        if (p.step > state.step) state.step = p.step;
        if (p.key === MetricKey.trainLoss) state.loss = v;
        else if (p.key === MetricKey.valLoss) state.valLoss = v;
        else if (p.key === MetricKey.tokensPerS) state.tokensPerS = v;
      }
      progress.update({ ...state });
    }),
    services.events.on('run.alert', ({ runId, alert }) => {
      // Merged alerts come back updated; print an episode once, and again only if its severity changes.
      const key = alert.id ?? `${alert.kind}:${alert.step}`;
      if (runId !== run.id || printed.get(key) === alert.severity) return;
      printed.set(key, alert.severity);
      note(formatAlertLine(alert));
    }),
    services.events.on('run.log', (e) => {
      if (e.runId === run.id) note(e.level === 'info' ? e.message : `${e.level}: ${e.message}`);
    }),
  ];

  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) {
      // Second Ctrl-C: leave now; the run is marked crashed at the next open and resumes from its last checkpoint.
      process.stderr.write('\nloupe: leaving without waiting; resume later with `loupe resume`\n');
      process.exit(130);
    }
    interrupted = true;
    note('stopping: writing a checkpoint (Ctrl-C again to leave at once)');
    services.runs.stop(run.id);
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);

  let end: RunSummary;
  try {
    end = await services.runs.waitForEnd(run.id);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    for (const off of offs) off();
    progress.stop();
  }
  const wall = (performance.now() - t0) / 1000;
  const result = resultJson(services, end, wall);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const f = (v: number | null): string => (v === null ? '–' : v.toFixed(4));
    human.write(
      `run ${result.run_id} ${result.status} at step ${result.steps}/${end.plannedSteps} in ${wall.toFixed(1)} s` +
        ` | train ${f(result.train_loss)} | val ${f(result.val_loss)} | best val ${f(result.best_val_loss)}` +
        ` | ${result.tokens_per_s === null ? '–' : Math.round(result.tokens_per_s)} tok/s on ${result.backend ?? '?'}\n`,
    );
    if (result.checkpoint) human.write(`checkpoint: ${result.checkpoint}\n`);
  }
  if (end.error && end.status !== 'finished') process.stderr.write(`loupe: run ${end.id} ${end.status}: ${escapeUnprintable(end.error)}\n`);
  if (end.status === 'finished') return 0;
  if (end.status === 'stopped' || end.status === 'paused') {
    if (!opts.json) human.write(`resume with: loupe resume ${end.id}\n`);
    return interrupted ? 130 : 0;
  }
  return 1;
}
