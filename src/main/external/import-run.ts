// Stores one imported run: created with its source marked, its points written in batches through the same path
// as a watched run (so the alert detectors run over it exactly as live), then finished.
import type { RunStatus, RunSummary } from '../../shared/runs.ts';
import type { MetricPoint } from '../../shared/metrics.ts';
import type { ExternalSource } from '../../shared/runs.ts';
import { createExternalRun } from '../store/external-runs.ts';
import { configFromSource } from './config-map.ts';
import { ExternalRunWriter, type IngestDeps } from './ingest.ts';

export interface ImportedRun {
  kind: ExternalSource['kind'];
  path: string;
  name: string;
  sourceConfig: Record<string, unknown> | null;
  /** In the order the source logged them: a step going back within a key is a restart (values kept as superseded). */
  points: readonly MetricPoint[];
  status?: RunStatus;
  error?: string | null;
  notes?: string[];
}

const batchPoints = 5000;

export function storeImportedRun(deps: IngestDeps, r: ImportedRun): RunSummary {
  let maxStep = 0;
  for (const p of r.points) if (p.step > maxStep) maxStep = p.step;
  const config = configFromSource(r.name, r.sourceConfig, maxStep || null);
  const key = `${r.kind}:${r.path}#${Date.now()}`;
  const run = createExternalRun(deps.store, { name: r.name, config, kind: r.kind, path: r.path, key, sourceConfig: r.sourceConfig });
  const w = new ExternalRunWriter(deps, run.id, config);
  for (const note of r.notes ?? []) w.log('warn', note);
  for (let i = 0; i < r.points.length; i += batchPoints) {
    w.add(r.points.slice(i, i + batchPoints));
    w.flush();
  }
  return w.end(r.status ?? 'finished', r.error ?? null);
}
