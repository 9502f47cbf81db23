// The architecture study (research note 003): Pure Transformer, Pure Mamba, a Mamba→attention hybrid and a
// Transformer with a mixture-of-experts MLP, sized to one parameter budget and run as one variant sweep.
import { ModelConfig, type RunConfig } from '../config.ts';
import { withRunLength } from '../run-length.ts';
import { estimateParams } from '../ablation/recipe.ts';
import type { Variant } from '../ablation/sweep.ts';

export type ArchitectureArm = 'transformer' | 'mamba' | 'hybrid' | 'moe';

interface ArmSpec {
  arm: ArchitectureArm;
  /** The study's name for it. */
  label: string;
  /** The fields the arm sets besides d_model (the width is what matches the budget). */
  model: Readonly<Record<string, unknown>>;
}

/**
 * The four arms. The transformer is LLaMA-style (RMSNorm, RoPE, SwiGLU) so that it, the hybrid's attention half and
 * the MoE arm share one block, and every arm shares RMSNorm with Mamba: the arms differ in the mixer, not in details.
 */
export const ARCHITECTURE_ARMS: readonly ArmSpec[] = [
  { arm: 'transformer', label: 'Pure Transformer', model: { family: 'llama' } },
  { arm: 'mamba', label: 'Pure Mamba', model: { family: 'mamba' } },
  { arm: 'hybrid', label: 'Hybrid (Mamba, then attention)', model: { family: 'hybrid' } },
  { arm: 'moe', label: 'Transformer + MoE (4 experts, top-2)', model: { family: 'llama', moe: { experts: 4, top_k: 2 } } },
];

/** The arm a run's model belongs to, from its config (so any group of such runs reads as a study). */
export function armOf(model: RunConfig['model']): ArchitectureArm | null {
  const moe = (model as { moe?: unknown }).moe;
  const hasMoe = typeof moe === 'object' && moe !== null;
  if (model.family === 'llama' || model.family === 'gpt') return hasMoe ? 'moe' : 'transformer';
  if (model.family === 'mamba') return 'mamba';
  if (model.family === 'hybrid') return 'hybrid';
  return null;
}

export const STUDY_DEFAULTS = { params: 1_000_000, steps: 300, seeds: 3 } as const;
/** Evaluations (with generation probes) per run: enough for a curve, few enough that sampling stays a small cost. */
export const STUDY_EVALS = 5;

export interface ParamFigures {
  total: number;
  /** Parameters a token passes through (MoE: top_k of the experts); the total for dense models. */
  active: number;
}

/** Total and active parameters of a config's model from its family's layout (an error for unbuilt options). */
export function paramFigures(config: RunConfig): { ok: true; figures: ParamFigures } | { ok: false; reason: string } {
  const count = estimateParams(config);
  if (!count.ok) return count;
  return { ok: true, figures: { total: count.total, active: count.active } };
}

export interface PlannedArm {
  arm: ArchitectureArm;
  label: string;
  /** What the arm sets on the base config (its model fields). */
  variant: Variant;
  params: ParamFigures;
}

export type StudyPlan = { ok: true; arms: PlannedArm[] } | { ok: false; error: string };

/** Widths tried when matching the budget: multiples of 8 keep every head width even (RoPE) with the base's heads. */
function widths(nHead: number): number[] {
  const step = Math.max(8, 2 * nHead);
  const out: number[] = [];
  for (let d = step; d <= 2048; d += step) out.push(d);
  return out;
}

/**
 * Each arm at the width whose active parameter count (what one token passes through) is nearest the budget, with the
 * base's depth, heads, context and data. For the dense arms that is their total; the MoE arm's experts add parameters
 * beyond it at the same compute per token, which is what a mixture of experts offers. The table shows both counts.
 * Widths step by 8 (even RoPE heads), so small budgets match only to ~15%; from 1M on, within ~8%.
 */
export function planArchitectureStudy(base: RunConfig, params: number): StudyPlan {
  if (!(Number.isFinite(params) && params >= 10_000 && params <= 300e6)) {
    return { ok: false, error: `params must be from 10000 to 300000000 (got ${params})` };
  }
  const arms: PlannedArm[] = [];
  for (const spec of ARCHITECTURE_ARMS) {
    let best: { d: number; figures: ParamFigures } | null = null;
    for (const d of widths(base.model.n_head)) {
      // The family's own defaults (bias, MLP width) apply, as they will in the run.
      const parsed = ModelConfig.safeParse({ ...base.model, ...spec.model, d_model: d, bias: null });
      if (!parsed.success) continue;
      const count = paramFigures({ ...base, model: parsed.data });
      if (!count.ok) return { ok: false, error: `${spec.label}: ${count.reason}` };
      const { figures } = count;
      if (best === null || Math.abs(figures.active - params) < Math.abs(best.figures.active - params)) best = { d, figures };
      if (figures.active > params) break;
    }
    if (best === null) return { ok: false, error: `${spec.label}: no width fits` };
    const set: Record<string, unknown> = { 'model.d_model': best.d, 'model.bias': null };
    for (const [field, value] of Object.entries(spec.model)) set[`model.${field}`] = value;
    arms.push({ arm: spec.arm, label: spec.label, variant: { label: spec.arm, set }, params: best.figures });
  }
  return { ok: true, arms };
}

/** The study's base: the recipe at `steps`, a handful of evals each sampling the diagnostic prompt set. */
export function studyBaseConfig(recipe: RunConfig, steps: number): RunConfig {
  const shaped = withRunLength(recipe, steps);
  const every = Math.max(1, Math.ceil(steps / STUDY_EVALS));
  return { ...shaped, name: 'arch', eval: { ...shaped.eval, every, generation: true } };
}
