// Number, duration and time formatting for dense tables and chart labels.

/** A metric value with `sig` significant digits; tiny and huge values in exponent form. */
export function formatValue(v: number | null | undefined, sig = 4): string {
  if (v == null) return '—';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) {
    const [m, e] = v.toExponential(Math.max(0, sig - 1)).split('e');
    return `${Number(m)}e${Number(e)}`;
  }
  return String(Number(v.toPrecision(sig)));
}

/** 1234 → 1.23k, 2_500_000 → 2.5M. */
export function formatCount(n: number | null | undefined): string {
  if (n == null) return '—';
  const a = Math.abs(n);
  if (a >= 1e9) return `${trim(n / 1e9)}B`;
  if (a >= 1e6) return `${trim(n / 1e6)}M`;
  if (a >= 1e3) return `${trim(n / 1e3)}k`;
  return String(Math.round(n));
}

function trim(x: number): string {
  return String(Number(x.toPrecision(3)));
}

/** 65_000 ms → "1m 05s", 3_700_000 → "1h 01m". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** A start time as "14:03" today, "Mar 3 14:03" otherwise. */
export function formatStarted(ts: number | null | undefined, now = Date.now()): string {
  if (ts == null) return '—';
  const d = new Date(ts);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
  if (new Date(now).toDateString() === d.toDateString()) return time;
  return `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time}`;
}

export interface EtaInput {
  status: string;
  steps: number;
  plannedSteps: number;
  startedAt: number | null;
  tokensPerUpdate: number | null;
  tokensPerS: number | null;
}

/**
 * Remaining time of a running run: from the current tokens/s when known (it tracks the recent pace),
 * else from the average time per step so far. Null when it cannot be told.
 */
export function estimateEtaMs(run: EtaInput, now = Date.now()): number | null {
  if (run.status !== 'running') return null;
  const left = run.plannedSteps - run.steps;
  if (left <= 0) return 0;
  if (run.tokensPerS && run.tokensPerUpdate && run.tokensPerS > 0) return (left * run.tokensPerUpdate * 1000) / run.tokensPerS;
  if (run.startedAt != null && run.steps > 0) return ((now - run.startedAt) / run.steps) * left;
  return null;
}

/** Axis tick labels: ticks are round numbers, so show them exactly but short (0.00025 → 2.5e-4). */
export function formatAxis(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return formatValue(v);
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) {
    const [m, e] = v.toExponential(6).split('e');
    return `${Number(m)}e${Number(e)}`;
  }
  return String(Number(v.toPrecision(6)));
}

/** The nearest 1-2-5 value below or above v (log axes end on round numbers, not on whole decades). */
export function niceLog(v: number, dir: 'down' | 'up'): number {
  if (!(v > 0)) return v;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  const steps = [1, 2, 5, 10];
  if (dir === 'down') return p * [...steps].reverse().find((k) => k * p <= v * (1 + 1e-9))!;
  return p * steps.find((k) => k * p >= v * (1 - 1e-9))!;
}
