// Mamba-1's layout as Hugging Face MambaForCausalLM names it: token embedding, pre-RMSNorm blocks whose mixer is
// in_proj → causal depthwise conv1d → SiLU → x_proj (Δ-rank, B, C) → dt_proj → selective scan with A = −exp(A_log)
// and skip D → gate SiLU(z) → out_proj, final RMSNorm, optionally tied head. Linear weights are held [in, out] (x·W)
// and transposed to nn.Linear's [out, in] in HF files; conv1d keeps nn.Conv1d's [d_inner, 1, d_conv].
import type { ConfigIssue, ModelConfig } from '../config.ts';
import type { FamilyLayout, ModelSpec, ParamSpec } from './layout.ts';

/** The block's sizes: the options of the model config, or Mamba-1's defaults. */
export interface MambaDims {
  dInner: number;
  dState: number;
  dConv: number;
  dtRank: number;
}

export function mambaDims(spec: Pick<ModelSpec, 'd_model' | 'd_state' | 'd_conv' | 'expand' | 'dt_rank'>): MambaDims {
  return {
    dInner: (spec.expand ?? 2) * spec.d_model,
    dState: spec.d_state ?? 16,
    dConv: spec.d_conv ?? 4,
    dtRank: spec.dt_rank ?? Math.ceil(spec.d_model / 16),
  };
}

export interface MambaBlockNames {
  norm: string;
  inProj: string;
  convWeight: string;
  convBias: string;
  xProj: string;
  dtWeight: string;
  dtBias: string;
  aLog: string;
  d: string;
  outProj: string;
}

/** A Mamba block's parameter names under a prefix (the hybrid family reuses them under its own). */
export function mambaBlockNames(prefix: string): MambaBlockNames {
  const m = `${prefix}.mixer`;
  return {
    norm: `${prefix}.norm.weight`,
    inProj: `${m}.in_proj.weight`,
    convWeight: `${m}.conv1d.weight`,
    convBias: `${m}.conv1d.bias`,
    xProj: `${m}.x_proj.weight`,
    dtWeight: `${m}.dt_proj.weight`,
    dtBias: `${m}.dt_proj.bias`,
    aLog: `${m}.A_log`,
    d: `${m}.D`,
    outProj: `${m}.out_proj.weight`,
  };
}

/** Every Mamba parameter name, built here only. */
export const mambaNames = {
  embed: 'backbone.embeddings.weight',
  normF: 'backbone.norm_f.weight',
  lmHead: 'lm_head.weight',
  block: (i: number): MambaBlockNames => mambaBlockNames(`backbone.layers.${i}`),
};

/** Step sizes Δ the dt_proj bias starts at (log-uniform), as Mamba's time_step_min / time_step_max. */
const DT_RANGE = [1e-3, 1e-1] as const;

/**
 * One Mamba block's parameters. Init as mamba_ssm: A_log = log(1..N), D = 1, Δ bias = softplus⁻¹ of a log-uniform
 * step, dt_proj weight U(±dt_rank^−½), conv U(±d_conv^−½) (PyTorch's default for a depthwise conv); the projections
 * N(0, 0.02) with out_proj scaled by 1/√(2·n_layer) like the residual projections of gpt and llama.
 */
export function mambaBlockParams(spec: ModelSpec, names: MambaBlockNames, layer: number): ParamSpec[] {
  const d = spec.d_model;
  const { dInner, dState, dConv, dtRank } = mambaDims(spec);
  const linear = (name: string, fanIn: number, fanOut: number, std: number): ParamSpec => ({
    name,
    shape: [fanIn, fanOut],
    init: { normal: std },
    role: 'matrix',
    layer,
    hfTransposed: true,
  });
  return [
    { name: names.norm, shape: [d], init: 'ones', role: 'norm', layer },
    { name: names.aLog, shape: [dInner, dState], init: 'log-arange', role: 'ssm', layer },
    { name: names.d, shape: [dInner], init: 'ones', role: 'ssm', layer },
    { name: names.convWeight, shape: [dInner, 1, dConv], init: { uniform: 1 / Math.sqrt(dConv) }, role: 'matrix', layer },
    { name: names.convBias, shape: [dInner], init: 'zeros', role: 'bias', layer },
    linear(names.inProj, d, 2 * dInner, 0.02),
    linear(names.xProj, dInner, dtRank + 2 * dState, 0.02),
    { name: names.dtWeight, shape: [dtRank, dInner], init: { uniform: 1 / Math.sqrt(dtRank) }, role: 'matrix', layer, hfTransposed: true },
    { name: names.dtBias, shape: [dInner], init: { dtBias: DT_RANGE }, role: 'bias', layer },
    linear(names.outProj, dInner, d, 0.02 / Math.sqrt(2 * spec.n_layer)),
  ];
}

/**
 * Floats alive per sequence in one Mamba block: ~24 [T, d_inner]-sized intermediates (projections, the conv's taps,
 * Δ, the gate), ~6 [T, d], and the scan's states and decays [T, d_inner, N], which the fused scan keeps for its backward pass.
 */
export function mambaBlockActivationFloats(spec: ModelSpec): number {
  const T = spec.block_size;
  const { dInner, dState, dtRank } = mambaDims(spec);
  return T * (24 * dInner + 6 * spec.d_model + 3 * (dtRank + 2 * dState) + 2 * dInner * dState);
}

function mambaParams(spec: ModelSpec): ParamSpec[] {
  const d = spec.d_model;
  const out: ParamSpec[] = [{ name: mambaNames.embed, shape: [spec.vocab_size, d], init: { normal: 0.02 }, role: 'embedding', layer: null }];
  for (let i = 0; i < spec.n_layer; i++) out.push(...mambaBlockParams(spec, mambaNames.block(i), i));
  out.push({ name: mambaNames.normF, shape: [d], init: 'ones', role: 'norm', layer: null });
  if (!spec.tie_embeddings) out.push({ name: mambaNames.lmHead, shape: [d, spec.vocab_size], init: { normal: 0.02 }, role: 'head', layer: null, hfTransposed: true });
  return out;
}

export const mambaLayout: FamilyLayout = {
  family: 'mamba',
  params: mambaParams,
  exportParams: mambaParams,
  hfConfig(spec) {
    const { dInner, dState, dConv, dtRank } = mambaDims(spec);
    return {
      architectures: ['MambaForCausalLM'],
      model_type: 'mamba',
      vocab_size: spec.vocab_size,
      hidden_size: spec.d_model,
      intermediate_size: dInner,
      state_size: dState,
      num_hidden_layers: spec.n_layer,
      conv_kernel: dConv,
      expand: dInner / spec.d_model,
      time_step_rank: dtRank,
      time_step_min: DT_RANGE[0],
      time_step_max: DT_RANGE[1],
      layer_norm_epsilon: spec.norm_eps,
      use_bias: false,
      use_conv_bias: true,
      hidden_act: 'silu',
      residual_in_fp32: true,
      initializer_range: 0.02,
      tie_word_embeddings: spec.tie_embeddings,
      use_cache: true,
      bos_token_id: spec.vocab_size - 1,
      eos_token_id: spec.vocab_size - 1,
      pad_token_id: spec.vocab_size - 1,
      torch_dtype: 'float32',
    };
  },
  activationFloatsPerSequence(spec) {
    return spec.n_layer * mambaBlockActivationFloats(spec) + 6 * spec.block_size * spec.vocab_size;
  },
  unbuilt(model: ModelConfig): ConfigIssue[] {
    return model.moe ? [{ path: 'model.moe', message: 'a mixture-of-experts MLP is for the gpt and llama families (a Mamba block has no MLP)' }] : [];
  },
};
