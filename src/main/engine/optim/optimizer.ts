// The interface every optimizer implements, so the train loop and checkpoints never depend on one: step, state,
// load, dispose, over parameter groups whose weight decay comes from the parameters' roles in the layout.
import { decays, type ParamSpec } from '../../../shared/models/layout.ts';
import type { OptimizerName } from '../../../shared/models/registry.ts';
import type { Grads } from './clip.ts';

/** Parameters updated with the same settings. */
export interface ParamGroup {
  name: string;
  params: string[];
  weightDecay: number;
}

/** An optimizer's state as plain arrays: `slots.get(slot).get(param)`; checkpoints key it `<optimizer>.<slot>.<param>`. */
export interface OptimizerState {
  optimizer: OptimizerName;
  /** Updates taken so far (bias corrections use it). */
  step: number;
  slots: Map<string, Map<string, Float32Array>>;
}

export interface Optimizer {
  readonly name: OptimizerName;
  readonly groups: readonly ParamGroup[];
  /** One update with learning rate `lr`; the gradients are the caller's to dispose. */
  step(grads: Grads, lr: number): void;
  /** A copy of the state, for checkpoints. */
  state(): OptimizerState;
  /** Restores a state taken by state() (or read from a checkpoint). */
  load(state: OptimizerState): void;
  dispose(): void;
}

/** The usual two groups: decayed (2-D matrices and an untied head) and not (embeddings, norms, biases). */
export function decayGroups(layout: readonly ParamSpec[], weightDecay: number): ParamGroup[] {
  const groups: ParamGroup[] = [
    { name: 'decay', params: [], weightDecay },
    { name: 'no_decay', params: [], weightDecay: 0 },
  ];
  for (const p of layout) groups[decays(p.role) ? 0 : 1]!.params.push(p.name);
  return groups.filter((g) => g.params.length > 0);
}

/** Weight decay of each parameter by name, from its group. */
export function decayByParam(groups: readonly ParamGroup[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const g of groups) for (const name of g.params) out.set(name, g.weightDecay);
  return out;
}
