// The runs table's sort and filter, kept pure so they are testable without a DOM.
import type { RunSummary } from '../../../shared/runs.ts';

export type SortKey =
  | 'name' | 'status' | 'backend' | 'params' | 'steps' | 'tokensSeen' | 'bestValLoss' | 'lastValLoss' | 'startedAt' | 'duration' | 'alertCount';
export interface Sort {
  key: SortKey;
  dir: 'asc' | 'desc';
}

export function runDurationMs(r: RunSummary, now = Date.now()): number | null {
  if (r.startedAt == null) return null;
  return (r.endedAt ?? (r.status === 'running' ? now : r.startedAt)) - r.startedAt;
}

function sortValue(r: RunSummary, key: SortKey, now: number): string | number | null {
  switch (key) {
    case 'duration':
      return runDurationMs(r, now);
    case 'startedAt':
      return r.startedAt ?? r.createdAt;
    case 'name':
    case 'status':
    case 'backend':
      return r[key]?.toLowerCase() ?? null;
    case 'alertCount':
      // Warnings first; info alerts only break ties.
      return r.warningCount * 1e6 + r.alertCount;
    default:
      return r[key];
  }
}

/** Sorted copy; missing values always sort last, whatever the direction. */
export function sortRuns(runs: readonly RunSummary[], sort: Sort, now = Date.now()): RunSummary[] {
  const sign = sort.dir === 'asc' ? 1 : -1;
  return [...runs].sort((a, b) => {
    const va = sortValue(a, sort.key, now);
    const vb = sortValue(b, sort.key, now);
    if (va == null || vb == null) return va == null ? (vb == null ? 0 : 1) : -1;
    if (va < vb) return -sign;
    if (va > vb) return sign;
    return b.createdAt - a.createdAt;
  });
}

/** Every whitespace-separated term must match the name, status, backend, group, notes or hypothesis. */
export function filterRuns(runs: readonly RunSummary[], query: string): RunSummary[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!terms.length) return [...runs];
  return runs.filter((r) => {
    const hay = [r.name, r.status, r.backend, r.groupName, r.notes, r.hypothesis, r.id].filter(Boolean).join(' ').toLowerCase();
    return terms.every((t) => hay.includes(t));
  });
}

/** Inserts or replaces a run by id (for run.status events). */
export function upsertRun(runs: readonly RunSummary[], run: RunSummary): RunSummary[] {
  const i = runs.findIndex((r) => r.id === run.id);
  if (i < 0) return [run, ...runs];
  const next = [...runs];
  next[i] = run;
  return next;
}

/**
 * Each queued run's place in the queue (1 = next to start), in the order the scheduler takes them: creation time, then
 * seed (a sweep creates its runs within one millisecond), then id.
 */
export function queuePositions(runs: readonly RunSummary[]): Map<string, number> {
  const queued = runs
    .filter((r) => r.status === 'queued')
    .sort((a, b) => a.createdAt - b.createdAt || a.seed - b.seed || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return new Map(queued.map((r, i) => [r.id, i + 1]));
}
