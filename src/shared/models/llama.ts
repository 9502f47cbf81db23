// LLaMA's layout as Hugging Face LlamaForCausalLM names it: token embedding, pre-RMSNorm blocks of q/k/v/o
// projections (k, v with n_kv_head heads) and a SwiGLU MLP (gate, up, down), final norm, optionally tied head; no
// biases, no position table (RoPE); with model.moe the MLP is a mixture of SwiGLU experts named as OLMoE names them.
// Matrices are held [in, out] (x·W) and transposed to nn.Linear's [out, in] in HF files.
import type { ConfigIssue } from '../config.ts';
import type { FamilyLayout, ModelSpec, ParamSpec } from './layout.ts';
import { expertsComputed, moeHfFields, routerSpec } from './moe.ts';

export const ROPE_THETA_DEFAULT = 10000;
const SWIGLU_MULTIPLE_OF = 32;

/** SwiGLU width as llama2.c picks it: 2/3 of 4·d (the parameters of a 4·d two-matrix MLP), rounded up to 32. */
export function swigluHidden(d: number): number {
  return SWIGLU_MULTIPLE_OF * Math.ceil(Math.floor((8 * d) / 3) / SWIGLU_MULTIPLE_OF);
}

export function llamaMlpHidden(spec: Pick<ModelSpec, 'mlp_hidden' | 'd_model'>): number {
  return spec.mlp_hidden ?? swigluHidden(spec.d_model);
}

export function kvHeads(spec: Pick<ModelSpec, 'n_kv_head' | 'n_head'>): number {
  return spec.n_kv_head ?? spec.n_head;
}

export interface LlamaBlockNames {
  attnNorm: string;
  q: string;
  k: string;
  v: string;
  o: string;
  mlpNorm: string;
  gate: string;
  up: string;
  down: string;
  /** With model.moe: the router [d, experts] (OLMoE's mlp.gate). */
  router: string;
  /** With model.moe: expert e's SwiGLU MLP (OLMoE's mlp.experts.<e>). */
  expert(e: number): { gate: string; up: string; down: string };
}

/** Every LLaMA parameter name, built here only. */
export const llamaNames = {
  embed: 'model.embed_tokens.weight',
  norm: 'model.norm.weight',
  lmHead: 'lm_head.weight',
  block(i: number): LlamaBlockNames {
    const p = `model.layers.${i}`;
    return {
      attnNorm: `${p}.input_layernorm.weight`,
      q: `${p}.self_attn.q_proj.weight`,
      k: `${p}.self_attn.k_proj.weight`,
      v: `${p}.self_attn.v_proj.weight`,
      o: `${p}.self_attn.o_proj.weight`,
      mlpNorm: `${p}.post_attention_layernorm.weight`,
      gate: `${p}.mlp.gate_proj.weight`,
      up: `${p}.mlp.up_proj.weight`,
      down: `${p}.mlp.down_proj.weight`,
      router: `${p}.mlp.gate.weight`,
      expert: (e) => ({
        gate: `${p}.mlp.experts.${e}.gate_proj.weight`,
        up: `${p}.mlp.experts.${e}.up_proj.weight`,
        down: `${p}.mlp.experts.${e}.down_proj.weight`,
      }),
    };
  },
};

/** One attention + SwiGLU block's parameters (the hybrid family reuses them for its attention layers). */
export function llamaBlockParams(spec: ModelSpec, i: number): ParamSpec[] {
  const d = spec.d_model;
  const kv = kvHeads(spec) * (d / spec.n_head);
  const hidden = llamaMlpHidden(spec);
  const projStd = 0.02 / Math.sqrt(2 * spec.n_layer);
  const b = llamaNames.block(i);
  const linear = (name: string, fanIn: number, fanOut: number, std: number, expert?: number): ParamSpec => ({
    name,
    shape: [fanIn, fanOut],
    init: { normal: std },
    role: 'matrix',
    layer: i,
    hfTransposed: true,
    ...(expert === undefined ? {} : { expert }),
  });
  const out: ParamSpec[] = [
    { name: b.attnNorm, shape: [d], init: 'ones', role: 'norm', layer: i },
    linear(b.q, d, d, 0.02),
    linear(b.k, d, kv, 0.02),
    linear(b.v, d, kv, 0.02),
    linear(b.o, d, d, projStd),
    { name: b.mlpNorm, shape: [d], init: 'ones', role: 'norm', layer: i },
  ];
  if (spec.moe) {
    out.push(routerSpec(b.router, d, spec.moe.experts, i, true));
    for (let e = 0; e < spec.moe.experts; e++) {
      const x = b.expert(e);
      out.push(linear(x.gate, d, hidden, 0.02, e), linear(x.up, d, hidden, 0.02, e), linear(x.down, hidden, d, projStd, e));
    }
  } else out.push(linear(b.gate, d, hidden, 0.02), linear(b.up, d, hidden, 0.02), linear(b.down, hidden, d, projStd));
  return out;
}

/** Embedding, blocks, final norm and the untied head, around the blocks `block(i)` gives (llama's own, or a hybrid's). */
export function llamaFrame(spec: ModelSpec, block: (i: number) => ParamSpec[]): ParamSpec[] {
  const d = spec.d_model;
  const out: ParamSpec[] = [{ name: llamaNames.embed, shape: [spec.vocab_size, d], init: { normal: 0.02 }, role: 'embedding', layer: null }];
  for (let i = 0; i < spec.n_layer; i++) out.push(...block(i));
  out.push({ name: llamaNames.norm, shape: [d], init: 'ones', role: 'norm', layer: null });
  if (!spec.tie_embeddings) out.push({ name: llamaNames.lmHead, shape: [d, spec.vocab_size], init: { normal: 0.02 }, role: 'head', layer: null, hfTransposed: true });
  return out;
}

function llamaParams(spec: ModelSpec): ParamSpec[] {
  return llamaFrame(spec, (i) => llamaBlockParams(spec, i));
}

/**
 * Floats alive per sequence in one block: ~40 [T, d]-sized intermediates (norms, q/k/v and their rotations, the
 * shared heads), ~8 [T, hidden] (gate, up, silu and their gradient pieces) and ~6 [H, T, T] attention maps.
 */
export function llamaBlockActivationFloats(spec: ModelSpec): number {
  const T = spec.block_size;
  // A mixture of experts may hold every expert's hidden activations (expertsComputed).
  const hidden = expertsComputed(spec) * llamaMlpHidden(spec);
  return 40 * T * spec.d_model + 8 * T * hidden + 6 * spec.n_head * T * T;
}

export const llamaLayout: FamilyLayout = {
  family: 'llama',
  params: llamaParams,
  exportParams: llamaParams,
  hfConfig: (spec) => ({
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: spec.vocab_size,
    hidden_size: spec.d_model,
    intermediate_size: llamaMlpHidden(spec),
    num_hidden_layers: spec.n_layer,
    num_attention_heads: spec.n_head,
    num_key_value_heads: kvHeads(spec),
    head_dim: spec.d_model / spec.n_head,
    hidden_act: 'silu',
    max_position_embeddings: spec.block_size,
    rms_norm_eps: spec.norm_eps,
    rope_theta: spec.rope_theta ?? ROPE_THETA_DEFAULT,
    rope_scaling: null,
    attention_bias: false,
    mlp_bias: false,
    attention_dropout: spec.dropout,
    initializer_range: 0.02,
    tie_word_embeddings: spec.tie_embeddings,
    use_cache: true,
    bos_token_id: spec.vocab_size - 1,
    eos_token_id: spec.vocab_size - 1,
    torch_dtype: 'float32',
    ...moeHfFields(spec),
  }),
  activationFloatsPerSequence(spec) {
    // The blocks, and logits and loss ~6 [T, V].
    return spec.n_layer * llamaBlockActivationFloats(spec) + 6 * spec.block_size * spec.vocab_size;
  },
  unbuilt(): ConfigIssue[] {
    return [];
  },
};
