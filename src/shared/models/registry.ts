// The model families and optimizers that are built, by name, and the options each family has; a config asking for
// something not built, or an option its family lacks (a mixture of experts on Mamba), is refused at validation.
import type { ConfigIssue, ModelConfig, RunConfig, TrainConfig } from '../config.ts';
import { gptLayout } from './gpt.ts';
import { llamaLayout } from './llama.ts';
import { mambaLayout } from './mamba.ts';
import { hybridLayout } from './hybrid.ts';
import { sizeOf, type FamilyLayout, type ModelFamily, type ModelSpec } from './layout.ts';

const layouts: Partial<Record<ModelFamily, FamilyLayout>> = {
  gpt: gptLayout,
  llama: llamaLayout,
  mamba: mambaLayout,
  hybrid: hybridLayout,
};

export type OptimizerName = TrainConfig['optimizer'];

/** Per-parameter state slots of each built optimizer (checkpoint keys are `<optimizer>.<slot>.<param>`). */
const optimizerSlots: Partial<Record<OptimizerName, readonly string[]>> = {
  adamw: ['exp_avg', 'exp_avg_sq'],
  // Muon's momentum on the hidden matrices, AdamW's two moments on the rest.
  muon: ['momentum_buffer', 'exp_avg', 'exp_avg_sq'],
};

const builtList = (r: object): string => Object.keys(r).join(', ');

/** The layout of a built family; throws for one that is not built (configs are refused before they get here). */
export function layoutOf(family: ModelFamily): FamilyLayout {
  const layout = layouts[family];
  if (!layout) throw new Error(`model.family: "${family}" is not built yet (built: ${builtList(layouts)})`);
  return layout;
}

export function slotsOf(optimizer: OptimizerName): readonly string[] {
  const slots = optimizerSlots[optimizer];
  if (!slots) throw new Error(`train.optimizer: "${optimizer}" is not built yet (built: ${builtList(optimizerSlots)})`);
  return slots;
}

/** Options the schema accepts but the engine does not build yet, each with its field path. */
export function unbuiltOptions(config: Pick<RunConfig, 'model' | 'train'>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const layout = layouts[config.model.family];
  if (layout) issues.push(...layout.unbuilt(config.model));
  else issues.push({ path: 'model.family', message: `"${config.model.family}" is not built yet (built: ${builtList(layouts)})` });
  if (!optimizerSlots[config.train.optimizer]) {
    issues.push({ path: 'train.optimizer', message: `"${config.train.optimizer}" is not built yet (built: ${builtList(optimizerSlots)})` });
  }
  return issues;
}

export interface ParamCount {
  total: number;
  /**
   * What one token's forward pass uses: the total, less the experts a mixture-of-experts MLP does not route it to
   * (top_k of the experts per block count). Equal to total for a dense model.
   */
  active: number;
  /** Token and position embeddings. */
  embedding: number;
  /** Everything else (the count scaling laws use): blocks, final norm, an untied head. */
  nonEmbedding: number;
  /** One block. */
  perLayer: number;
}

/** Parameter count of a model, tensor by tensor from its family's layout. */
export function countParams(spec: ModelSpec): ParamCount {
  let total = 0;
  let active = 0;
  let embedding = 0;
  let perLayer = 0;
  // Every expert of a block has the same tensors, so top_k/experts of their sum is a whole count.
  const share = spec.moe ? spec.moe.top_k / spec.moe.experts : 1;
  let expertParams = 0;
  for (const p of layoutOf(spec.family).params(spec)) {
    const n = sizeOf(p.shape);
    total += n;
    if (p.expert === undefined) active += n;
    else expertParams += n;
    if (p.role === 'embedding') embedding += n;
    if (p.layer === 0) perLayer += n;
  }
  active += Math.round(expertParams * share);
  return { total, active, embedding, nonEmbedding: total - embedding, perLayer };
}

/**
 * Active parameters of a model whose total is known (a run's recorded count): the expert parameters a token does
 * not use depend on the model config only, not on the vocabulary, so they come off the total.
 */
export function activeParamsOf(model: ModelConfig, total: number): number {
  if (!model.moe || !layouts[model.family]) return total;
  const c = countParams({ ...model, vocab_size: 1 });
  return total - (c.total - c.active);
}

/** Bytes of live tensors per sequence during forward and backward (×1.5 for gradients alive during backprop). */
export function activationBytesPerSequence(spec: ModelSpec): number {
  return 4 * layoutOf(spec.family).activationFloatsPerSequence(spec) * 1.5;
}

/** Floats of optimizer state: one per slot per parameter, except that muon keeps only a momentum for the hidden matrices. */
function optimizerFloats(spec: ModelSpec, optimizer: OptimizerName): number {
  const slots = slotsOf(optimizer).length;
  let n = 0;
  for (const p of layoutOf(spec.family).params(spec)) n += sizeOf(p.shape) * (optimizer === 'muon' ? (p.role === 'matrix' && p.shape.length === 2 ? 1 : 2) : slots);
  return n;
}

export interface TrainingMemory {
  params: number;
  grads: number;
  optimizer: number;
  activations: number;
  total: number;
}

/**
 * Rough bytes one training step holds (float32): weights, their gradients, the optimizer's slots, and the
 * activations of one micro-batch. For refusing configs that cannot fit a backend; the engine's micro-batch choice
 * uses the activation part.
 */
export function trainingMemory(spec: ModelSpec, optimizer: OptimizerName, microBatch: number): TrainingMemory {
  const n = countParams(spec).total;
  const params = 4 * n;
  const grads = 4 * n;
  const opt = 4 * optimizerFloats(spec, optimizer);
  const activations = microBatch * activationBytesPerSequence(spec);
  return { params, grads, optimizer: opt, activations, total: params + grads + opt + activations };
}
