// The families the engine builds, by name; a family's layout lives in src/shared/models, its maths in ./families.
import type { Rng } from '../rng.ts';
import { layoutOf } from '../../../shared/models/registry.ts';
import type { ModelFamily } from '../../../shared/models/layout.ts';
import { gpt } from './families/gpt.ts';
import { llama } from './families/llama.ts';
import { mamba } from './families/mamba.ts';
import { hybrid } from './families/hybrid.ts';
import { Model } from './model.ts';
import type { Family, LanguageModel, ModelSpec } from './types.ts';

const families: Partial<Record<ModelFamily, Family>> = {
  gpt,
  llama,
  mamba,
  hybrid,
};

export function familyOf(name: ModelFamily): Family {
  const family = families[name];
  if (family) return family;
  layoutOf(name); // throws, naming the built families, when the shared registry lacks it too
  throw new Error(`model.family: "${name}" has a layout but no engine module`);
}

/** A freshly initialised model for this spec (initial values drawn from `rng` in layout order). */
export function createModel(spec: ModelSpec, rng: Rng): LanguageModel {
  return new Model(familyOf(spec.family), spec, rng);
}

export type { LanguageModel, ModelSpec, ForwardOptions, ForwardResult, KvCache, Weights } from './types.ts';
export { paramCount } from './types.ts';
