// The run page's alerts: one entry per episode (latest version), newest problems easy to spot; clicking one
// zooms the charts to its steps. Evidence (the numbers that triggered it) is one click further.
import type { Alert } from '../../../shared/alerts.ts';
import { alertSteps, alertTitle } from '../../../shared/alerts.ts';

export interface AlertsListProps {
  alerts: readonly Alert[];
  onSelect: (alert: Alert) => void;
}

function evidenceText(alert: Alert): string {
  return Object.entries(alert.evidence)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? String(Number(v.toPrecision(6))) : String(v)}`)
    .join(' · ');
}

export function AlertsList({ alerts, onSelect }: AlertsListProps): React.JSX.Element {
  if (alerts.length === 0) {
    return <div className="muted small">No alerts. Spikes, plateaus, gradient trouble and overfitting show up here as they happen.</div>;
  }
  const sorted = [...alerts].sort((a, b) => a.step - b.step);
  return (
    <ul className="alerts" data-testid="alerts-list">
      {sorted.map((a, i) => (
        <li
          key={a.id ?? `${a.kind}-${a.step}-${i}`}
          className={`alert sev-${a.severity}`}
          data-kind={a.kind}
          tabIndex={0}
          onClick={() => onSelect(a)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') onSelect(a);
          }}
          title="Zoom the charts to these steps"
        >
          <div className="alert-head">
            <span className="sev">{a.severity}</span>
            <span className="kind">{alertTitle(a)}</span>
            <span className="muted mono">{alertSteps(a)}</span>
          </div>
          <div>{a.message}</div>
          {a.advice && <div className="muted small">{a.advice}</div>}
          <details className="small" onClick={(e) => e.stopPropagation()}>
            <summary className="muted">evidence</summary>
            <div className="mono">{evidenceText(a)}</div>
          </details>
        </li>
      ))}
    </ul>
  );
}
