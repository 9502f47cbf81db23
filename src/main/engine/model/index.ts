// Builds the model a config asks for. New families (llama, mamba, hybrid, MoE) are added here, beside gpt.
import type { Rng } from '../rng.ts';
import { Gpt } from './gpt.ts';
import type { LanguageModel, ModelSpec } from './types.ts';

export function createModel(spec: ModelSpec, rng: Rng): LanguageModel {
  if (spec.moe) throw new Error('model.moe: mixture-of-experts is not implemented yet');
  switch (spec.family) {
    case 'gpt':
      return new Gpt(spec, rng);
    default:
      throw new Error(`model.family: "${spec.family}" is not implemented yet (gpt is)`);
  }
}

export type { LanguageModel, ModelSpec, ForwardOptions, ForwardResult, KvCache } from './types.ts';
export { paramCount } from './types.ts';
