// A name for a run nobody named: what its config changes against the baseline ("lr3e-4-warmup200"), the same
// naming the config editor suggests, so a list of runs reads as a list of hypotheses rather than "run, run, run".
import { diffConfigs } from '../../shared/ablation/diff.ts';
import { suggestRunName } from '../../shared/ablation/naming.ts';
import { RunConfig } from '../../shared/config.ts';
import { readBaselineConfig, resolveWithOverrides } from './config-input.ts';

/** The schema's name when a config gives none. */
const SCHEMA_DEFAULT_NAME = RunConfig.parse({}).name;

function givesName(input: unknown): boolean {
  return typeof input === 'object' && input !== null && typeof (input as { name?: unknown }).name === 'string' && (input as { name: string }).name !== SCHEMA_DEFAULT_NAME;
}

/**
 * The name a run gets without --name: undefined (keep it) when the config names itself, else the suggested name of
 * its changes against the baseline: `baseline` (a run's config) or the bundled baseline recipe; "baseline" when
 * nothing experimental differs.
 */
export function hypothesisName(input: unknown, config: RunConfig, baseline?: RunConfig): string | undefined {
  if (givesName(input)) return undefined;
  const base = baseline ?? resolveWithOverrides(readBaselineConfig());
  return suggestRunName(diffConfigs(base, config));
}
