// Where detectors put alerts: one current version per id (episodes are merged by upserting), plus the
// ids changed since the last drain so the live pass hands the store only what is new or updated.
import type { Alert } from '../../shared/alerts.ts';

export class AlertSink {
  private readonly current = new Map<string, Alert>();
  private changed = new Map<string, Alert>();

  upsert(alert: Alert & { id: string }): void {
    this.current.set(alert.id, alert);
    this.changed.set(alert.id, alert);
  }

  /** Alerts new or updated since the previous drain, latest version of each, in order of first change. */
  drain(): Alert[] {
    const out = [...this.changed.values()];
    this.changed = new Map();
    return out;
  }

  all(): Alert[] {
    return sortAlerts([...this.current.values()]);
  }
}

function sortAlerts(alerts: Alert[]): Alert[] {
  return alerts.sort((a, b) => a.step - b.step || a.kind.localeCompare(b.kind) || (a.id ?? '').localeCompare(b.id ?? ''));
}

/** A number for a sentence: four significant digits, no exponent for ordinary magnitudes. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-3)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** A number for evidence: six significant digits keeps it readable and still exact enough to re-check. */
export function ev(v: number): number | string {
  return Number.isFinite(v) ? Number(v.toPrecision(6)) : String(v);
}

export function pct(fraction: number): string {
  return `${fmt(fraction * 100)}%`;
}
