// Sweep launcher: one field × listed values × seeds → a named group of queued runs (linked to the baseline, if any).
// The form is checked locally (same expansion as the server) so the preview names every run before anything is queued.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { RunSummary } from '../../../shared/runs.ts';
import { estimateDuration, formatDuration, runBudget } from '../../../shared/run-budget.ts';
import { experimentalChanges } from '../../../shared/ablation/index.ts';
import type { ConfigChange } from '../../../shared/ablation/index.ts';
import type { SweepResult } from '../../../shared/api/index.ts';
import type { RunConfig } from '../../../shared/config.ts';
import { getClient } from '../api/client.ts';
import { navigate } from '../router.ts';
import { errorMessage } from '../lib/errors.ts';
import { planSweep, sweepableFields, sweepFromChanges } from './editor-model.ts';
import { groupRouteId } from '../compare/compare-model.ts';

export interface SweepLauncherProps {
  /** The config the sweep varies one field of (the editor's candidate), resolved for the local preview. */
  base: RunConfig | null;
  /** The editor text of that config: what is sent, so the server fills in its own defaults. */
  text: string;
  baselineId: string | null;
  /** The editor's changes against the baseline, to prefill the field and values. */
  changes: readonly ConfigChange[];
  hypothesis: string;
  /** Past runs, for the whole sweep's estimated duration on this machine. */
  past?: readonly RunSummary[];
  /** The baseline's name, when there is one. */
  baselineName?: string;
}

const FIELDS = sweepableFields();

export function SweepLauncher({ base, text, baselineId, changes, hypothesis, past = [], baselineName }: SweepLauncherProps): React.JSX.Element {
  const inFlight = useRef(false);
  const launchedBox = useRef<HTMLDivElement>(null);
  const [field, setField] = useState('');
  const [values, setValues] = useState('');
  const [seeds, setSeeds] = useState(3);
  const [group, setGroup] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [launched, setLaunched] = useState<SweepResult | null>(null);

  // Until the user types in the form, it follows the editor: a single-field edit proposes sweeping that field.
  const suggestion = sweepFromChanges(changes);
  useEffect(() => {
    if (touched || !suggestion) return;
    setField(suggestion.field);
    setValues(suggestion.values);
  }, [touched, suggestion?.field, suggestion?.values]);

  const plan = useMemo(() => (base ? planSweep(base, field, values, seeds, group) : null), [base, field, values, seeds, group]);
  const others = experimentalChanges(changes).filter((c) => c.path !== field);
  const description = FIELDS.find((f) => f.path === field)?.description;

  const eta = useMemo(() => {
    if (!base || !plan?.ok) return null;
    const flops = runBudget(base).flops;
    return flops === null ? null : estimateDuration(flops * plan.plan.runNames.length, past);
  }, [base, plan, past]);
  // The confirmation can sit below the fold of the side panel: bring it into view.
  useEffect(() => {
    if (launched) launchedBox.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [launched]);

  const launch = (): void => {
    // A double click must not queue the sweep twice: the second click arrives before React re-renders the button.
    if (!base || !plan?.ok || inFlight.current) return;
    inFlight.current = true;
    setBusy(true);
    setError(null);
    setLaunched(null);
    getClient()
      .call('ablation.sweep', {
        config: text,
        vary: { field: plan.plan.vary.path, values: plan.plan.vary.values },
        seeds,
        ...(baselineId ? { baselineId } : {}),
        ...(group.trim() ? { group: group.trim() } : {}),
        ...(hypothesis.trim() ? { hypothesis: hypothesis.trim() } : {}),
      })
      .then(setLaunched, (e: unknown) => setError(errorMessage(e)))
      .finally(() => {
        inFlight.current = false;
        setBusy(false);
      });
  };
  const edit = <T,>(set: (v: T) => void) => (v: T): void => {
    setTouched(true);
    setLaunched(null);
    set(v);
  };

  return (
    <div className="panel sweep" data-testid="sweep-launcher">
      <h3>Sweep</h3>
      <div className="muted small" data-testid="sweep-intro">
        One field, several values, each over seeds: a group of queued runs
        {baselineId ? <>, all linked to the baseline <strong>{baselineName ?? baselineId}</strong>.</> : <>. They start from the default recipe and are linked to no baseline: in Compare, pick one of the sweep’s variants (or any run) as the baseline.</>}
      </div>
      <label className="field">
        <span>Field</span>
        <select value={field} onChange={(e) => edit(setField)(e.target.value)} data-testid="sweep-field" aria-label="Field to vary">
          <option value="">pick a field…</option>
          {FIELDS.map((f) => (
            <option key={f.path} value={f.path}>{f.path}</option>
          ))}
        </select>
      </label>
      {description && <div className="muted small field-doc">{description}</div>}
      <label className="field">
        <span>Values</span>
        <input value={values} onChange={(e) => edit(setValues)(e.target.value)} placeholder="e.g. 1e-3, 6e-4, 3e-4" data-testid="sweep-values" aria-label="Values, comma separated" />
      </label>
      <label className="field">
        <span>Seeds</span>
        <input type="number" min={1} max={20} value={seeds} onChange={(e) => edit(setSeeds)(Number(e.target.value))} data-testid="sweep-seeds" aria-label="Seeds per value" />
      </label>
      <label className="field">
        <span>Group</span>
        <input value={group} onChange={(e) => edit(setGroup)(e.target.value)} placeholder={plan?.ok ? plan.plan.groupName : 'sweep-<field>'} maxLength={200} aria-label="Group name" />
      </label>
      {plan && !plan.ok && (field || values) && <div className="error small" role="alert" data-testid="sweep-error">{plan.error}</div>}
      {plan?.ok && (
        <div className="small sweep-plan" data-testid="sweep-plan">
          {plan.plan.runNames.length} runs ({plan.plan.vary.values.length} values × {seeds} seeds), queued one after another:{' '}
          <span className="muted mono">{plan.plan.runNames.join(', ')}</span>
          <div className="muted" data-testid="sweep-eta">
            {eta ? `≈ ${formatDuration(eta.seconds)} for the whole sweep at this machine’s recent speed (evals on top)` : 'Duration: known once a run has finished on this machine.'}
          </div>
        </div>
      )}
      {plan?.ok && others.length > 0 && (
        <div className="warn-box small">
          Every sweep run also keeps your other edits ({others.map((c) => c.path).join(', ')}), so none of them is a one-variable
          ablation of the baseline. Undo those edits first, unless they are meant as a new baseline.
        </div>
      )}
      <button className="primary" disabled={busy || !plan?.ok || launched !== null} onClick={launch} data-testid="launch-sweep" title={launched ? 'Queued: change the form to launch another sweep' : undefined}>
        {busy ? 'Queuing…' : launched ? `Queued ✓ (${launched.runs.length} runs)` : plan?.ok ? `Launch sweep (${plan.plan.runNames.length} runs)` : 'Launch sweep'}
      </button>
      {error && <div className="error small" role="alert">{error}</div>}
      {launched && (
        <div className="ok-box small" data-testid="sweep-launched" ref={launchedBox}>
          Queued {launched.runs.length} runs in <strong>{launched.group}</strong>
          {launched.baselineId ? ', linked to the baseline' : ' (no baseline linked: pick one in Compare)'}:{' '}
          <span className="mono" data-testid="sweep-launched-names">{launched.runs.map((r) => r.name).join(', ')}</span>.{' '}
          <a href="#" data-testid="compare-sweep" onClick={(e) => { e.preventDefault(); navigate({ page: 'compare', ids: [groupRouteId(launched.group)] }); }}>
            Compare them →
          </a>
        </div>
      )}
    </div>
  );
}
