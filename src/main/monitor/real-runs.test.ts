// The monitor on real training (the TF.js engine through createServices, on a temp data folder): the baseline
// recipe raises no warning, the same at lr 0.05 without warmup raises a spike or explosion warning, a run made
// to overfit raises the overfitting alert, and `--recompute` over the stored metrics gives the stored alerts.
// Runs are shortened (a 2-layer d64 model, 120–240 steps) so each takes well under a minute here.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/alerts.ts';
import { createServices, type Services } from '../services.ts';
import { readBaselineConfig } from '../services/config-input.ts';
import { loupe } from '../../cli/testing.ts';

let services: Services;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-alerts-real-'));
  services = await createServices({ dataDir: dir });
});
afterAll(async () => {
  await services?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Patch = Record<string, Record<string, unknown>>;

/** The bundled baseline recipe (AdamW 1e-3 cosine, clip 1.0, byte Moby-Dick) on a smaller model and a short run. */
function baseline(patch: Patch = {}): Record<string, unknown> {
  const base = readBaselineConfig() as Record<string, Record<string, unknown>>;
  const small: Patch = {
    model: { n_layer: 2, d_model: 64 },
    train: { steps: 120, warmup_steps: 20, batch_size: 8 },
    eval: { every: 40, batches: 4 },
    checkpoint: { every: 1000 },
  };
  const out: Record<string, unknown> = { ...base };
  for (const part of new Set([...Object.keys(small), ...Object.keys(patch)])) {
    out[part] = { ...base[part], ...small[part], ...patch[part] };
  }
  return out;
}

/** Trains a config to the end; returns the stored alerts and the last version of each live `run.alert` event. */
async function train(name: string, config: Record<string, unknown>): Promise<{ stored: Alert[]; live: Map<string, Alert>; runId: string }> {
  const live = new Map<string, Alert>();
  const run = services.runs.start({ config: { ...config, name } });
  const off = services.events.on('run.alert', ({ runId, alert }) => {
    if (runId === run.id) live.set(alert.id!, alert);
  });
  const end = await services.runs.waitForEnd(run.id);
  off();
  expect(end.status, end.error ?? '').toBe('finished');
  return { stored: services.runs.alerts(run.id), live, runId: run.id };
}

const warnings = (alerts: Alert[]): Alert[] => alerts.filter((a) => a.severity !== 'info');
const sameFields = (a: Alert): unknown => ({ kind: a.kind, severity: a.severity, step: a.step, stepEnd: a.stepEnd, message: a.message, advice: a.advice, evidence: a.evidence });

/** `loupe alerts RUN --recompute`: the detectors rerun over the stored metrics must give exactly the stored alerts. */
function expectRecomputeMatches(runId: string, stored: Alert[]): void {
  const again = services.runs.recomputeAlerts(runId);
  const key = (a: Alert): string => `${a.kind}:${a.step}:${String(a.evidence.classification ?? '')}`;
  expect(again.map(sameFields).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)))).toEqual(
    stored.map(sameFields).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
  );
  expect(again.map(key).sort()).toEqual(stored.map(key).sort());
}

describe('alerts on real training runs', () => {
  it('the baseline recipe (short) raises no warning', async () => {
    const { stored, live, runId } = await train('alerts-baseline', baseline());
    expect(warnings(stored)).toEqual([]);
    expect([...live.values()].map(sameFields)).toEqual(stored.map(sameFields));
    expectRecomputeMatches(runId, stored);
  });

  it('the same recipe at lr 0.05 without warmup raises a spike or explosion warning', async () => {
    const { stored, runId } = await train('alerts-lr0.05', baseline({ train: { lr: 0.05, warmup_steps: 0 } }));
    const hits = warnings(stored).filter((a) => a.kind === 'loss_spike' || a.kind === 'grad_spike' || a.kind === 'grad_explosion');
    expect(hits.length, JSON.stringify(stored.map((a) => `${a.severity} ${a.kind}@${a.step}`))).toBeGreaterThan(0);
    expect(hits[0].advice).toMatch(/learning rate/i);
    expectRecomputeMatches(runId, stored);

    // The command itself, as a separate process on the same data folder.
    const cli = await loupe(['alerts', runId, '--recompute', '--json'], { LOUPE_HOME: dir });
    expect(cli.code, cli.stderr).toBe(0);
    const out = JSON.parse(cli.stdout) as { matches_stored: boolean; alerts: { kind: string; severity: string; step: number; step_end: number | null; message: string; evidence: unknown }[] };
    expect(out.matches_stored).toBe(true);
    expect(out.alerts.map((a) => [a.kind, a.severity, a.step, a.step_end, a.message, a.evidence])).toEqual(
      stored.map((a) => [a.kind, a.severity, a.step, a.stepEnd, a.message, a.evidence]),
    );
  });

  it('a run made to overfit (0.05% of the train split, 240 steps) raises the overfitting alert', async () => {
    const config = baseline({
      data: { train_fraction: 0.0005 },
      model: { block_size: 32 },
      train: { steps: 240, warmup_steps: 10 },
      eval: { every: 20 },
    });
    const { stored, runId } = await train('alerts-overfit', config);
    const over = stored.filter((a) => a.kind === 'overfitting');
    expect(over.length, JSON.stringify(stored.map((a) => `${a.severity} ${a.kind}@${a.step}`))).toBeGreaterThan(0);
    expect(over[0].severity).toBe('warning');
    expect(over[0].advice).toMatch(/stop early/);
    expectRecomputeMatches(runId, stored);
  });
});
