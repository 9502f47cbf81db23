// The config a run from elsewhere is stored with. A Loupe config (what `loupe export --torch` writes) is kept as
// it is; anything else gets Loupe's defaults, with the step count and gradient clip read from common field names
// so the alert windows (fractions of the planned steps) and the clip checks fit the job.
import { RunConfig, AlertsConfig } from '../../shared/config.ts';

const stepNames = ['steps', 'max_steps', 'max_iters', 'total_steps', 'num_steps', 'train_steps', 'iterations', 'num_iterations'];
const clipNames = ['grad_clip', 'max_grad_norm', 'clip_grad_norm', 'gradient_clip_val', 'clip_grad'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A number under any of `names`, at the top level or one level down (train.steps, optim.max_grad_norm). */
function findNumber(raw: Record<string, unknown>, names: readonly string[]): number | null {
  for (const n of names) if (typeof raw[n] === 'number' && Number.isFinite(raw[n])) return raw[n];
  for (const v of Object.values(raw)) {
    if (!isRecord(v)) continue;
    for (const n of names) if (typeof v[n] === 'number' && Number.isFinite(v[n])) return v[n];
  }
  return null;
}

export function configFromSource(name: string, raw: Record<string, unknown> | null, knownSteps: number | null = null): RunConfig {
  const src = raw ?? {};
  if ('model' in src && 'train' in src) {
    const loupe = RunConfig.safeParse({ ...src, name });
    if (loupe.success) return loupe.data;
  }
  const guessed = findNumber(src, stepNames);
  const steps = Math.max(1, Math.round(guessed !== null && guessed >= 1 ? guessed : (knownSteps ?? RunConfig.parse({}).train.steps)));
  const clip = findNumber(src, clipNames);
  const alerts = AlertsConfig.safeParse(isRecord(src['alerts']) ? src['alerts'] : {});
  return RunConfig.parse({
    name: name.slice(0, 200) || 'run',
    train: {
      steps: Math.min(steps, 10_000_000),
      warmup_steps: Math.min(RunConfig.parse({}).train.warmup_steps, steps),
      ...(clip !== null && clip >= 0 ? { grad_clip: clip } : {}),
    },
    alerts: alerts.success ? alerts.data : {},
  });
}
