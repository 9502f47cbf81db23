// What a config costs before it runs: tokens it will see, training FLOPs (≈ 6·N per token plus attention, as in
// Kaplan et al. 2020) and a duration estimated from the throughput past runs reached on this machine.
import type { RunConfig } from './config.ts';
import { estimateParams, tokensPerUpdate } from './ablation/recipe.ts';

/** Training FLOPs per token: 6 per parameter (forward 2, backward 4) plus attention over the context, 6·L·T·d. */
export function flopsPerToken(params: number, config: Pick<RunConfig, 'model'>): number {
  const m = config.model;
  return 6 * params + 6 * m.n_layer * m.block_size * m.d_model;
}

export interface RunBudget {
  tokens: number;
  /** null where the parameter count is not known (families not implemented yet, char vocabulary). */
  flops: number | null;
}

export function runBudget(config: RunConfig): RunBudget {
  const tokens = config.train.steps * tokensPerUpdate(config);
  const params = estimateParams(config);
  return { tokens, flops: params.ok ? tokens * flopsPerToken(params.total, config) : null };
}

/** What a past run tells about this machine's speed. */
export interface PastRunSpeed {
  status: string;
  params: number | null;
  tokensPerS: number | null;
  backend: string | null;
  endedAt: number | null;
}

export interface DurationEstimate {
  seconds: number;
  /** How many past runs the throughput is the median of. */
  basedOn: number;
  backend: string | null;
}

/** How many of the latest finished runs the machine's throughput is taken from. */
const RECENT = 5;

/**
 * Duration of `flops` of training at the median throughput (6·N·tokens/s) of the latest finished runs; null when no
 * run has finished here yet. Evals and checkpoints come on top.
 */
export function estimateDuration(flops: number, past: readonly PastRunSpeed[]): DurationEstimate | null {
  const usable = past
    .filter((r) => r.status === 'finished' && r.params !== null && r.params > 0 && r.tokensPerS !== null && r.tokensPerS > 0)
    .sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0))
    .slice(0, RECENT);
  if (usable.length === 0) return null;
  const rates = usable.map((r) => 6 * r.params! * r.tokensPerS!).sort((a, b) => a - b);
  const mid = rates.length >> 1;
  const median = rates.length % 2 ? rates[mid] : (rates[mid - 1] + rates[mid]) / 2;
  return { seconds: flops / median, basedOn: usable.length, backend: usable[0].backend };
}

/** "3.2 PFLOP", "840 GFLOP". */
export function formatFlops(flops: number): string {
  const units = [['E', 1e18], ['P', 1e15], ['T', 1e12], ['G', 1e9], ['M', 1e6]] as const;
  for (const [u, v] of units) if (flops >= v) return `${Number((flops / v).toPrecision(3))} ${u}FLOP`;
  return `${Math.round(flops)} FLOP`;
}

/** "45 s", "12 min", "3.4 h". */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  return `${Number((seconds / 3600).toPrecision(2))} h`;
}
