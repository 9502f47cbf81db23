// The diagnostics of one sample as a compact table, each value coloured by how alarming it is.
import type { SampleDiagnostics } from '../../../shared/generation/diagnosis.ts';
import { metricRows, type MetricRow } from './metrics-view.ts';

export function MetricList({ rows, testId }: { rows: MetricRow[]; testId?: string }): React.JSX.Element {
  return (
    <dl className="pg-metrics" data-testid={testId}>
      {rows.map((r) => (
        <div key={r.key} className="kv-row" title={r.hint} data-metric={r.key}>
          <dt>{r.label}</dt>
          <dd className={`mono lvl-${r.level}`}>{r.value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function MetricsPanel({ diagnostics }: { diagnostics: SampleDiagnostics }): React.JSX.Element {
  return <MetricList rows={metricRows(diagnostics)} testId="sample-metrics" />;
}
