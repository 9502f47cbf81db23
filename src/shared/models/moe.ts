// The mixture-of-experts MLP's constants, shared by every family that offers one (gpt, llama): the auxiliary loss
// weights, the router's layout entry, and why a Hugging Face export is refused.
import type { ModelSpec, ParamSpec } from './layout.ts';

/** Weight of the load-balancing loss E·Σ_i f_i·P_i in the objective (Switch Transformer, OLMoE: 0.01). */
export const MOE_BALANCE_WEIGHT = 0.01;
/** Weight of the router z-loss, mean over tokens of logsumexp(router logits)² (ST-MoE, OLMoE: 0.001). */
export const MOE_Z_WEIGHT = 0.001;

/**
 * The router of one block, held [d, experts] (x·W) like the other matrices. Its role keeps it on AdamW under
 * Muon: it produces the logits of a softmax, as the head does, and orthogonalising a d×E update would give it
 * the step size of a hidden matrix (√(d/E) times larger after Muon's scaling) on a layer whose scale sets routing.
 */
export function routerSpec(name: string, d: number, experts: number, layer: number, hfTransposed: boolean): ParamSpec {
  return { name, shape: [d, experts], init: { normal: 0.02 }, role: 'router', layer, ...(hfTransposed ? { hfTransposed } : {}) };
}

/**
 * No transformers class computes this MLP exactly: OLMoE keeps the probabilities unrenormalised as here but adds q/k
 * norms to attention; Mixtral renormalises the top-k weights; Qwen2-MoE (norm_topk_prob false) adds a sigmoid-gated
 * shared expert and q/k/v biases (a zero-width shared expert and zero biases might reproduce it, but transformers
 * is not here to prove that file loads and matches, so it is not claimed).
 */
export const MOE_HF_REFUSAL =
  'a mixture-of-experts model has no Hugging Face class with the same maths (Mixtral renormalises the top-k weights, ' +
  'Qwen2-MoE adds a shared expert, OLMoE q/k norms); its checkpoint stays in Loupe\'s own format';

/**
 * What a MoE checkpoint's config.json adds to its family's: the routing settings, and no `architectures`, since
 * the class the rest names would not load these weights (see MOE_HF_REFUSAL). Empty for a dense model.
 */
export function moeHfFields(spec: ModelSpec): Record<string, unknown> {
  if (!spec.moe) return {};
  return {
    architectures: [],
    num_experts: spec.moe.experts,
    num_experts_per_tok: spec.moe.top_k,
    norm_topk_prob: false,
    router_aux_loss_coef: MOE_BALANCE_WEIGHT,
    router_z_loss_coef: MOE_Z_WEIGHT,
  };
}

/**
 * How many expert MLPs' activations a token's forward pass may hold: all of them in the reference form (every expert
 * weighed by the gates; wasm computes only the top_k), so memory estimates stay on the safe side.
 */
export function expertsComputed(spec: ModelSpec): number {
  return spec.moe?.experts ?? 1;
}
