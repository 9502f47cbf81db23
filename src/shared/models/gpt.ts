// GPT-2's layout as Hugging Face GPT2LMHeadModel names it (Conv1D weights are [in, out]): learned positions,
// pre-LayerNorm blocks, 4× MLP (or model.mlp_hidden) or a mixture of such MLPs, tied embeddings; N(0, 0.02) init
// with residual projections at 0.02/√(2·n_layer).
import type { ConfigIssue } from '../config.ts';
import type { FamilyLayout, ModelSpec, ParamSpec } from './layout.ts';
import { expertsComputed, moeHfFields, routerSpec } from './moe.ts';

/** A weight and its bias under one prefix (Conv1D, Linear, LayerNorm). */
export interface Affine {
  weight: string;
  bias: string;
}

const affine = (prefix: string): Affine => ({ weight: `${prefix}.weight`, bias: `${prefix}.bias` });

export interface GptBlockNames {
  ln1: Affine;
  qkv: Affine;
  attnProj: Affine;
  ln2: Affine;
  fc: Affine;
  mlpProj: Affine;
  /** With model.moe: the router [d, experts] (Loupe's own name; no transformers class holds this MLP). */
  router: string;
  /** With model.moe: expert e's MLP, named as the dense one under mlp.experts.<e>. */
  expert(e: number): { fc: Affine; mlpProj: Affine };
}

/** Every GPT parameter name, built here only. */
export const gptNames = {
  wte: 'transformer.wte.weight',
  wpe: 'transformer.wpe.weight',
  lnF: affine('transformer.ln_f'),
  /** HF's Linear keeps [out, in]; present only when the head is not tied to wte. */
  lmHead: 'lm_head.weight',
  block(i: number): GptBlockNames {
    const p = `transformer.h.${i}`;
    return {
      ln1: affine(`${p}.ln_1`),
      qkv: affine(`${p}.attn.c_attn`),
      attnProj: affine(`${p}.attn.c_proj`),
      ln2: affine(`${p}.ln_2`),
      fc: affine(`${p}.mlp.c_fc`),
      mlpProj: affine(`${p}.mlp.c_proj`),
      router: `${p}.mlp.router.weight`,
      expert: (e) => ({ fc: affine(`${p}.mlp.experts.${e}.c_fc`), mlpProj: affine(`${p}.mlp.experts.${e}.c_proj`) }),
    };
  },
};

/** The MLP's hidden width: model.mlp_hidden, or GPT-2's 4·d. */
export function gptMlpHidden(spec: Pick<ModelSpec, 'mlp_hidden' | 'd_model'>): number {
  return spec.mlp_hidden ?? 4 * spec.d_model;
}

function gptParams(spec: ModelSpec): ParamSpec[] {
  const d = spec.d_model;
  const out: ParamSpec[] = [];
  const projStd = 0.02 / Math.sqrt(2 * spec.n_layer);
  const norm = (a: Affine, layer: number | null): void => {
    out.push({ name: a.weight, shape: [d], init: 'ones', role: 'norm', layer });
    if (spec.bias) out.push({ name: a.bias, shape: [d], init: 'zeros', role: 'bias', layer });
  };
  const conv1d = (a: Affine, fanIn: number, fanOut: number, std: number, layer: number, expert?: number): void => {
    const of = expert === undefined ? {} : { expert };
    out.push({ name: a.weight, shape: [fanIn, fanOut], init: { normal: std }, role: 'matrix', layer, ...of });
    if (spec.bias) out.push({ name: a.bias, shape: [fanOut], init: 'zeros', role: 'bias', layer, ...of });
  };
  const hidden = gptMlpHidden(spec);
  out.push({ name: gptNames.wte, shape: [spec.vocab_size, d], init: { normal: 0.02 }, role: 'embedding', layer: null });
  out.push({ name: gptNames.wpe, shape: [spec.block_size, d], init: { normal: 0.02 }, role: 'embedding', layer: null });
  for (let i = 0; i < spec.n_layer; i++) {
    const b = gptNames.block(i);
    norm(b.ln1, i);
    conv1d(b.qkv, d, 3 * d, 0.02, i);
    conv1d(b.attnProj, d, d, projStd, i);
    norm(b.ln2, i);
    if (spec.moe) {
      out.push(routerSpec(b.router, d, spec.moe.experts, i, false));
      for (let e = 0; e < spec.moe.experts; e++) {
        const x = b.expert(e);
        conv1d(x.fc, d, hidden, 0.02, i, e);
        conv1d(x.mlpProj, hidden, d, projStd, i, e);
      }
    } else {
      conv1d(b.fc, d, hidden, 0.02, i);
      conv1d(b.mlpProj, hidden, d, projStd, i);
    }
  }
  norm(gptNames.lnF, null);
  if (!spec.tie_embeddings) out.push({ name: gptNames.lmHead, shape: [spec.vocab_size, d], init: { normal: 0.02 }, role: 'head', layer: null });
  return out;
}

export const gptLayout: FamilyLayout = {
  family: 'gpt',
  params: gptParams,
  // GPT2LMHeadModel always has biases.
  exportParams: (spec) => gptParams({ ...spec, bias: true }),
  hfConfig: (spec) => ({
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: spec.vocab_size,
    n_positions: spec.block_size,
    n_ctx: spec.block_size,
    n_embd: spec.d_model,
    n_layer: spec.n_layer,
    n_head: spec.n_head,
    // HF reads null as 4·n_embd.
    n_inner: spec.mlp_hidden,
    activation_function: 'gelu_new',
    resid_pdrop: spec.dropout,
    embd_pdrop: spec.dropout,
    attn_pdrop: spec.dropout,
    layer_norm_epsilon: 1e-5,
    initializer_range: 0.02,
    scale_attn_weights: true,
    use_cache: true,
    tie_word_embeddings: spec.tie_embeddings,
    bos_token_id: spec.vocab_size - 1,
    eos_token_id: spec.vocab_size - 1,
    torch_dtype: 'float32',
    ...moeHfFields(spec),
  }),
  activationFloatsPerSequence(spec) {
    const T = spec.block_size;
    const d = spec.d_model;
    // Per layer: ~70 [T, d]-sized intermediates (LayerNorms, qkv, the 4× MLP and GELU's pieces) and ~6 [H, T, T]
    // attention maps; logits and the loss take ~6 [T, V]. A wider or narrower MLP scales its share (~24 of the 70,
    // as 4·d-wide tensors) by mlp_hidden / 4d, and a mixture of experts by the experts it may compute.
    const mlpScale = (expertsComputed(spec) * gptMlpHidden(spec)) / (4 * d);
    return spec.n_layer * ((46 + 24 * mlpScale) * T * d + 6 * spec.n_head * T * T) + 6 * T * spec.vocab_size;
  },
  unbuilt(): ConfigIssue[] {
    return [];
  },
};
