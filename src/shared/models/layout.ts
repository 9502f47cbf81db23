// What a model family publishes about itself without TF.js: every parameter's Hugging Face name, shape, init and
// role, its HF config, and its activation footprint. Construction, parameter counts, export and memory estimates read it.
import type { ConfigIssue, ModelConfig } from '../config.ts';

/** The model part of a run config plus what the data decides (vocabulary size). */
export type ModelSpec = ModelConfig & { vocab_size: number };

export type ModelFamily = ModelConfig['family'];

/**
 * What a parameter is for. Optimizers derive weight decay and eligibility from it: `matrix`, `head` and `router` are
 * decayed; embeddings, norms, biases and `ssm` (a state-space model's decay rates A_log and skip D, which mamba_ssm
 * keeps out of weight decay) are not. A mixture-of-experts `router` is 2-D but, like the head, maps the residual
 * stream to logits of a softmax (over experts), so Muon leaves it to AdamW as it does the head.
 */
export type ParamRole = 'embedding' | 'head' | 'norm' | 'bias' | 'matrix' | 'router' | 'ssm';

/**
 * Initial values: N(0, std²); U(−b, b); a constant; `log-arange`, log(1..n) along the last axis (Mamba's A_log, so
 * A = −(1..n)); or `dt-bias`, softplus⁻¹ of a step size drawn log-uniformly in [min, max] (Mamba's Δ bias).
 */
export type ParamInit = { normal: number } | { uniform: number } | { dtBias: readonly [number, number] } | 'log-arange' | 'zeros' | 'ones';

export interface ParamSpec {
  /** The Hugging Face name (the checkpoint key). */
  name: string;
  shape: readonly number[];
  init: ParamInit;
  role: ParamRole;
  /** The block it belongs to; null for embeddings, the final norm and the head. */
  layer: number | null;
  /**
   * A matrix the model holds [in, out] (x·W) that the Hugging Face class stores as nn.Linear's [out, in]: transposed
   * on export and import.
   */
  hfTransposed?: boolean;
  /** The expert it belongs to in a mixture-of-experts MLP (each token uses top_k of them: the active count). */
  expert?: number;
}

export interface FamilyLayout {
  readonly family: ModelFamily;
  /** The model's parameters in Hugging Face order (also the order the initial values are drawn in). */
  params(spec: ModelSpec): ParamSpec[];
  /**
   * The tensors of the Hugging Face class this family exports to. Entries the model itself lacks (such as biases
   * of a bias-free model) are written as zeros, so the file loads there.
   */
  exportParams(spec: ModelSpec): ParamSpec[];
  /** The config.json that the Hugging Face class accepts. */
  hfConfig(spec: ModelSpec): Record<string, unknown>;
  /** Floats alive per sequence during forward and backward (before the allowance for gradients). */
  activationFloatsPerSequence(spec: ModelSpec): number;
  /** Options of the model config this family accepts in the schema but does not build yet. */
  unbuilt(model: ModelConfig): ConfigIssue[];
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Whether an optimizer applies weight decay to a parameter of this role. */
export function decays(role: ParamRole): boolean {
  return role === 'matrix' || role === 'head' || role === 'router';
}
