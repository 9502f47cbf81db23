// A run status as a small coloured badge (running pulses).
import type { RunStatus } from '../../../shared/runs.ts';

export function StatusBadge({ status }: { status: RunStatus }): React.JSX.Element {
  return (
    <span className={`badge status-${status}`} data-testid="status-badge">
      {status === 'running' && <span className="pulse" />}
      {status}
    </span>
  );
}
