// Alerts the monitor raised for a run; a merged episode keeps its id and is updated in place.
import type { Alert } from '../../shared/alerts.ts';
import type { Db } from './db.ts';

export class AlertsStore {
  constructor(private readonly db: Db) {}

  upsert(runId: string, alerts: readonly Alert[], now = Date.now()): Alert[] {
    const stmt = this.db.prepare(
      `INSERT INTO alerts(id, run_id, kind, severity, step, step_end, message, advice, evidence, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET severity = excluded.severity, step_end = excluded.step_end, message = excluded.message,
         advice = excluded.advice, evidence = excluded.evidence, updated_at = excluded.updated_at`,
    );
    const out: Alert[] = [];
    this.db.transaction(() => {
      for (const a of alerts) {
        const id = a.id ? `${runId}:${a.id}` : `${runId}:${a.kind}:${a.step}`;
        stmt.run(id, runId, a.kind, a.severity, a.step, a.stepEnd, a.message, a.advice, JSON.stringify(a.evidence), now, now);
        out.push({ ...a, id, runId });
      }
    }).immediate();
    return out;
  }

  list(runId: string): Alert[] {
    const rows = this.db
      .prepare('SELECT id, run_id, kind, severity, step, step_end, message, advice, evidence FROM alerts WHERE run_id = ? ORDER BY step, created_at')
      .all(runId) as { id: string; run_id: string; kind: Alert['kind']; severity: Alert['severity']; step: number; step_end: number | null; message: string; advice: string; evidence: string }[];
    return rows.map((r) => ({
      id: r.id,
      runId: r.run_id,
      kind: r.kind,
      severity: r.severity,
      step: r.step,
      stepEnd: r.step_end,
      message: r.message,
      advice: r.advice,
      evidence: JSON.parse(r.evidence) as Alert['evidence'],
    }));
  }
}
