// Checkpoint picker: a run, then one of its stored checkpoints (or "newest", which follows a run still training).
import type { CheckpointRef, SampleableRun } from '../../../shared/api/samples.ts';
import { formatValue } from '../lib/format.ts';

export function CheckpointPicker({
  runs,
  value,
  onChange,
  testId = 'checkpoint-picker',
}: {
  runs: SampleableRun[];
  value: CheckpointRef | null;
  onChange: (ref: CheckpointRef | null) => void;
  testId?: string;
}): React.JSX.Element {
  const run = value ? runs.find((r) => r.runId === value.runId) ?? null : null;
  // Runs without a checkpoint cannot be sampled, but the chosen one stays listed (it may be about to write one).
  const sampleable = runs.filter((r) => r.checkpoints.length > 0 || r.runId === value?.runId);
  return (
    <div className="pg-ckpt" data-testid={testId}>
      <select
        aria-label="Run"
        value={value?.runId ?? ''}
        onChange={(e) => onChange(e.target.value ? { runId: e.target.value, step: null } : null)}
        data-testid={`${testId}-run`}
      >
        <option value="">{sampleable.length ? 'Choose a run…' : 'No run has a checkpoint yet'}</option>
        {value && !run && <option value={value.runId}>{value.runId} (not found)</option>}
        {sampleable.map((r) => (
          <option key={r.runId} value={r.runId}>
            {r.runName} · {r.status} · {r.checkpoints.length ? `${r.checkpoints.length} ckpt` : 'no checkpoint yet'}
          </option>
        ))}
      </select>
      <select
        aria-label="Checkpoint"
        value={value?.step == null ? '' : String(value.step)}
        disabled={!run}
        onChange={(e) => value && onChange({ runId: value.runId, step: e.target.value === '' ? null : Number(e.target.value) })}
        data-testid={`${testId}-step`}
      >
        <option value="">newest{run?.checkpoints[0] ? ` (step ${run.checkpoints[0].step})` : ''}</option>
        {run?.checkpoints.map((c) => (
          <option key={c.step} value={c.step}>
            step {c.step}
            {c.valLoss !== null ? ` · val ${formatValue(c.valLoss, 3)}` : ''}
          </option>
        ))}
      </select>
    </div>
  );
}
