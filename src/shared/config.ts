// The run config: one zod schema that main validates, the engine trains from, the CLI reads as YAML/JSON
// and the editor turns into JSON Schema. Every field has a default and a description (shown as hover docs).
import { z } from 'zod';
import { ChatTemplate } from './sft/template.ts';
import { PrintableName } from './printable.ts';
import { unbuiltOptions } from './models/registry.ts';
import { hybridPatternProblem } from './models/hybrid-pattern.ts';

const backendNames = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export const BackendName = z.enum(backendNames);
export type BackendName = z.infer<typeof BackendName>;

const positiveInt = z.number().int().positive();

export const DataConfig = z
  .object({
    corpus: z
      .string()
      .min(1)
      .default('moby-dick')
      .describe('Training text: "moby-dick" (bundled, public domain, 1.2 MB) or a path to a local UTF-8 .txt or .jsonl file.'),
    tokenizer: z
      .enum(['byte', 'char', 'gpt2'])
      .default('byte')
      .describe('byte: 256 symbols, nothing unknown. char: the distinct characters of the corpus. gpt2: GPT-2 BPE (50257).'),
    val_fraction: z
      .number()
      .gt(0)
      .lt(0.5)
      .default(0.1)
      .describe('Fraction of the token stream held out for validation: the last contiguous part (deterministic 90/10 by default).'),
    train_fraction: z
      .number()
      .gt(0)
      .lte(1)
      .default(1)
      .describe('Use only the first fraction of the training split (e.g. 0.01 to provoke overfitting on purpose).'),
    format: z
      .enum(['auto', 'text', 'sft'])
      .default('auto')
      .describe(
        'auto: a .jsonl corpus whose lines are {"prompt","response"} or {"messages":[…]} is fine-tuning data (sft), lines with "text" ' +
          'are pretraining text. sft: loss on response tokens only, split by example. "sft-builtin" is the bundled question–answer set.',
      ),
    template: ChatTemplate.default(ChatTemplate.parse({})).describe(
      'Chat template for fine-tuning examples: markers written around system, user and assistant turns. Loss falls on the assistant ' +
        'content and its end marker, so the model learns to stop.',
    ),
    mix: z
      .object({
        corpus: z.string().min(1).default('moby-dick').describe('Another corpus ("moby-dick" or a .txt/.jsonl path) whose text fills part of every fine-tuning batch.'),
        ratio: z.number().gt(0).lt(1).default(0.25).describe('Share of each batch\'s rows taken from it (e.g. 0.25): a regulariser against response collapse.'),
      })
      .strict()
      .optional()
      .describe('Mix other text into fine-tuning batches (the SFT study\'s "auxiliary data as a regulariser").'),
  })
  .strict();

export const ModelConfig = z
  .object({
    family: z
      .enum(['gpt', 'llama', 'mamba', 'hybrid'])
      .default('gpt')
      .describe(
        'gpt: GPT-2 (learned positions, LayerNorm, GELU MLP, biases). llama: LLaMA (RoPE, RMSNorm, SwiGLU MLP, no biases). ' +
          'mamba: Mamba-1 (selective state-space blocks, no attention, no MLP). hybrid: Mamba blocks and LLaMA attention blocks in the order model.layers gives.',
      ),
    n_layer: positiveInt.max(48).default(4).describe('Number of blocks; each adds ≈ 12·d_model² parameters (a Mamba block ≈ 6·d_model² + 3·expand·d_model·d_state).'),
    n_head: positiveInt.max(64).default(4).describe('Attention heads per block; d_model must be divisible by it.'),
    n_kv_head: positiveInt
      .max(64)
      .nullable()
      .default(null)
      .describe('llama: key/value heads (grouped-query attention); n_head must be a multiple of it. null: n_head (plain multi-head). E.g. n_head 8, n_kv_head 2.'),
    d_model: positiveInt.max(4096).default(128).describe('Residual stream width (n_embd).'),
    block_size: positiveInt.max(8192).default(64).describe('Context length in tokens.'),
    dropout: z.number().min(0).lt(1).default(0).describe('Dropout on attention, residual and embeddings. 0 for short runs on small data is usual.'),
    mlp_hidden: positiveInt
      .max(65536)
      .nullable()
      .default(null)
      .describe(
        'Hidden width of each block\'s MLP. null: the family\'s rule, 4·d_model for gpt and for llama the SwiGLU rule 32·⌈(8·d_model/3)/32⌉ (about the parameters of a 4·d two-matrix MLP; 352 for d 128). Vary it to study MLP width.',
      ),
    rope_theta: z
      .number()
      .positive()
      .nullable()
      .default(null)
      .describe('llama: RoPE base θ; null: 10000 (LLaMA 1/2). Larger values (500000 in LLaMA 3) suit long contexts.'),
    norm_eps: z.number().positive().max(0.1).default(1e-5).describe('ε of the normalisation layers (LayerNorm for gpt, RMSNorm for llama); 1e-5 for both (1e-6 in some LLaMA checkpoints).'),
    bias: z.boolean().nullable().default(null).describe('Biases in linear layers and LayerNorm. null: the family\'s choice, true for gpt (GPT-2 has them); llama has none.'),
    d_state: positiveInt
      .max(256)
      .nullable()
      .default(null)
      .describe('mamba, hybrid: size N of each channel\'s state in the selective scan. null: 16 (Mamba-1).'),
    d_conv: positiveInt
      .max(16)
      .nullable()
      .default(null)
      .describe('mamba, hybrid: width of the causal depthwise convolution before the scan. null: 4.'),
    expand: positiveInt
      .max(8)
      .nullable()
      .default(null)
      .describe('mamba, hybrid: inner width of a Mamba block as a multiple of d_model (d_inner = expand·d_model). null: 2.'),
    dt_rank: positiveInt
      .max(1024)
      .nullable()
      .default(null)
      .describe('mamba, hybrid: rank of the step-size (Δ) projection. null: ⌈d_model/16⌉, as Mamba\'s "auto".'),
    layers: z
      .string()
      .nullable()
      .default(null)
      .describe(
        'hybrid: which block each layer is, one letter per layer: M (Mamba) or A (attention: the llama block, RMSNorm, RoPE, SwiGLU), e.g. "MMMAAA" for n_layer 6. ' +
          'null: the first half Mamba, the rest attention.',
      ),
    tie_embeddings: z.boolean().default(true).describe('Share the token embedding with the output head (GPT-2 does).'),
    moe: z
      .object({
        experts: positiveInt.max(64).default(4).describe('Number of expert MLPs per block (4 is the usual small setting); each has the width of the dense MLP.'),
        top_k: positiveInt.default(2).describe('Experts each token is routed to (top-2 gating); at most experts. Active parameters count top_k of them.'),
      })
      .strict()
      .optional()
      .describe(
        'Mixture-of-experts MLP (gpt, llama): a router softmax over all experts, the top_k kept with their probabilities as weights (not ' +
          'renormalised, as OLMoE), no capacity limit; load-balancing loss (weight 0.01) and router z-loss (0.001) recorded as train/moe_balance and train/moe_z, ' +
          'the share of routed tokens per expert as eval/expert_load/* at each eval. Absent: a dense MLP.',
      ),
  })
  .strict()
  .refine((m) => m.d_model % m.n_head === 0, { message: 'd_model must be divisible by n_head', path: ['d_model'] })
  .refine((m) => (m.family !== 'llama' && m.family !== 'hybrid') || (m.d_model / m.n_head) % 2 === 0, {
    message: 'RoPE needs an even head width (d_model / n_head)',
    path: ['d_model'],
  })
  .refine((m) => m.n_kv_head == null || m.n_head % m.n_kv_head === 0, { message: 'n_head must be a multiple of n_kv_head', path: ['n_kv_head'] })
  .refine((m) => m.family === 'llama' || m.family === 'hybrid' || m.n_kv_head == null, { message: 'grouped-query attention (n_kv_head) is a llama (and hybrid) option', path: ['n_kv_head'] })
  .refine((m) => m.family === 'llama' || m.family === 'hybrid' || m.rope_theta == null, { message: 'rope_theta is a llama (and hybrid) option (gpt learns its positions, mamba has none)', path: ['rope_theta'] })
  .refine((m) => m.family !== 'llama' || m.bias !== true, { message: 'llama has no biases', path: ['bias'] })
  .refine((m) => !m.moe || m.moe.top_k <= m.moe.experts, { message: 'top_k must not exceed experts', path: ['moe', 'top_k'] })
  .refine((m) => m.family === 'mamba' || m.family === 'hybrid' || (m.d_state == null && m.d_conv == null && m.expand == null && m.dt_rank == null), {
    message: 'd_state, d_conv, expand and dt_rank are options of the mamba and hybrid families',
    path: ['d_state'],
  })
  .refine((m) => (m.family !== 'mamba' && m.family !== 'hybrid') || m.bias !== true, { message: 'mamba blocks have no biases in their projections (the convolution and Δ projection always have theirs)', path: ['bias'] })
  .superRefine((m, ctx) => {
    if (m.layers == null) return;
    if (m.family !== 'hybrid') ctx.addIssue({ code: 'custom', message: 'layers is a hybrid option', path: ['layers'] });
    else {
      const problem = hybridPatternProblem(m.layers, m.n_layer);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['layers'] });
    }
  })
  // Family defaults resolved once, so every reader (engine, counts, export) sees the same plain values; bias goes
  // last whether it was given or not, so a config and its stored, re-read copy serialise alike.
  .transform(({ bias, ...m }) => ({ ...m, bias: bias ?? m.family === 'gpt' }));

/** The peak-LR ranges the lr docs recommend (and the editor warns far outside of): by model size. */
export const RECOMMENDED_LR = {
  smallModelMaxParams: 100e6,
  small: [3e-4, 1e-3] as const,
  large: [6e-5, 6e-4] as const,
};

function lrRange([lo, hi]: readonly [number, number]): string {
  return `${lo.toExponential()} to ${hi.toExponential()}`;
}

export const TrainConfig = z
  .object({
    steps: positiveInt.max(10_000_000).default(2000).describe('Optimizer updates (iterations).'),
    batch_size: positiveInt.max(4096).default(12).describe(
        'Sequences per optimizer update. Tokens per update = batch_size × block_size (micro-batch × accumulation × block). ' +
          'If you change it, change lr by the square-root rule: lr × √(new/old).',
      ),
    micro_batch_size: z
      .union([z.literal('auto'), positiveInt])
      .default('auto')
      .describe('Sequences per forward/backward pass; the rest is gradient accumulation. "auto" picks the largest that fits the backend memory.'),
    workers: positiveInt
      .max(256)
      .nullable()
      .default(null)
      .describe(
        'Data-parallel worker threads on the wasm and cpu backends: each holds a replica and takes a share of every batch; ' +
          'gradients are summed in a fixed order, so a run is reproducible for a given count. null (auto): one per core, ' +
          'as many as memory and batch_size allow. Checkpoints do not depend on it: resume with any count.',
      ),
    optimizer: z
      .enum(['adamw', 'muon'])
      .default('adamw')
      .describe('adamw: AdamW on every parameter. muon: Muon (settings under train.muon) on the 2-D hidden matrices, AdamW (train.lr, betas, weight_decay) on embeddings, head, norms and biases.'),
    lr: z.number().positive().max(10).default(1e-3).describe(
        `Peak learning rate after warmup. Small models (≤ 100M params): ${lrRange(RECOMMENDED_LR.small)}; ` +
          `larger: ${lrRange(RECOMMENDED_LR.large)}. When batch size (tokens per update) changes, ` +
          'scale it by the square root of the ratio: 4× the batch → 2× the LR.',
      ),
    min_lr: z.number().min(0).default(1e-4).describe('Learning rate at the end of the decay; lr/10 is the usual choice. Must not exceed lr.'),
    warmup_steps: z.number().int().min(0).default(100).describe('Linear warmup steps from 0 to lr; 1–5% of steps is the usual range (e.g. 20–100 for 2000 steps).'),
    schedule: z.enum(['cosine', 'linear', 'constant', 'wsd']).default('cosine').describe('Decay after warmup: cosine to min_lr (the usual choice), linear, constant, or wsd (warmup–stable–decay: flat, then a short final decay).'),
    wsd_decay_fraction: z.number().gt(0).lte(1).default(0.2).describe('For wsd: fraction of steps spent in the final decay.'),
    beta1: z.number().min(0).lt(1).default(0.9).describe('AdamW β1.'),
    beta2: z.number().min(0).lt(1).default(0.99).describe('AdamW β2 (0.95 for long runs, 0.99 for small batches).'),
    eps: z.number().positive().default(1e-8).describe('AdamW ε.'),
    weight_decay: z.number().min(0).default(0.1).describe('Decoupled (AdamW) weight decay on 2-D weights only; 0.1 is the usual value. Norms, biases and embeddings are not decayed.'),
    grad_clip: z.number().min(0).default(1.0).describe('Global gradient-norm clip; 1.0 is the usual value, 0 disables. Clipping on most steps means the LR is too high.'),
    label_smoothing: z.number().min(0).lt(1).default(0).describe('Cross-entropy label smoothing.'),
    z_loss: z.number().min(0).default(0).describe('Weight of the z-loss (log² of the softmax normaliser); 1e-4 is typical when used.'),
    dispersion: z
      .object({
        weight: z.number().min(0).default(0).describe('λ: total loss = CE + λ·L_disp. 0 disables.'),
        tau: z.number().positive().default(0.5).describe('Temperature τ of the dispersion loss (0.5 in Liu et al. 2026).'),
        variant: z
          .enum(['angular_spread', 'l2_repel', 'decorrelation', 'orthogonalization'])
          .default('angular_spread')
          .describe('angular_spread: logsumexp of negative pairwise angles (the paper\'s default); the others are ablation variants.'),
      })
      .strict()
      .default({ weight: 0, tau: 0.5, variant: 'angular_spread' })
      .describe('Dispersion loss against embedding condensation (DESIGN.md §6).'),
    early_stopping_patience: z.number().int().min(0).default(0).describe('Stop after this many evals without val improvement; 0 disables.'),
    muon: z
      .object({
        lr: z.number().positive().max(10).default(0.02).describe('Muon peak learning rate (follows the same warmup and decay as train.lr). 0.02 is the muon.py default; 0.01–0.05 suits small models.'),
        momentum: z.number().min(0).lt(1).default(0.95).describe('Muon momentum β; 0.95 is the usual value.'),
        nesterov: z.boolean().default(true).describe('Nesterov momentum (the Muon default): orthogonalise g + β·(buffer − g) rather than the buffer itself.'),
        ns_steps: positiveInt.max(20).default(5).describe('Newton–Schulz iterations that orthogonalise each update; 5 with coefficients (3.4445, −4.7750, 2.0315) is the standard.'),
        weight_decay: z.number().min(0).default(0).describe('Decoupled weight decay on the Muon matrices (p ← p·(1 − lr·wd)); 0 as in muon.py, 0.1 as in Moonlight.'),
      })
      .strict()
      .default({ lr: 0.02, momentum: 0.95, nesterov: true, ns_steps: 5, weight_decay: 0 })
      .describe('Muon settings, used when optimizer is muon. The AdamW part keeps train.lr, beta1, beta2, eps and weight_decay.'),
  })
  .strict()
  .refine((t) => t.min_lr <= t.lr, { message: 'min_lr must not exceed lr', path: ['min_lr'] })
  .refine((t) => t.warmup_steps <= t.steps, { message: 'warmup_steps must not exceed steps', path: ['warmup_steps'] });

export const EvalConfig = z
  .object({
    every: positiveInt.default(100).describe('Evaluate validation loss every N steps (and at the last step).'),
    batches: positiveInt.max(1000).default(20).describe('Fixed validation batches per eval.'),
    generation: z.boolean().default(false).describe('Sample the diagnostic prompt set at each eval and record gen/* metrics.'),
    diagnostics: z.boolean().default(false).describe('Record representation diagnostics (condensation per layer) at each eval.'),
    prompts: z
      .string()
      .min(1)
      .max(4096)
      .default('builtin')
      .describe('Prompt set the generation probes sample: builtin, or the path of a prompt-set JSON file (the playground\'s schema).'),
  })
  .strict();

export const CheckpointConfig = z
  .object({
    every: positiveInt.default(500).describe('Write a checkpoint every N steps (and always at the end).'),
    keep: positiveInt.default(5).describe('How many periodic checkpoints to keep on disk besides the best and the last.'),
  })
  .strict();

export const AlertsConfig = z
  .object({
    spike_sigma: z.number().positive().default(6).describe('Spike: value > mean + k·σ of the previous window.'),
    spike_window: positiveInt.default(128).describe('Spike: how many previous values the mean and σ are taken over.'),
    spike_min_history: positiveInt.default(64).describe('Spike: values needed before spikes are looked for (the first steps fall too fast to judge).'),
    spike_early_rel: z.number().min(0).default(0.25).describe('Loss spike in the first steps (before spike_min_history): the loss more than this fraction above its lowest value so far. 0 disables.'),
    spike_min_rel: z.number().min(0).default(0.05).describe('Spike: also require the value to exceed the mean by this fraction, so near-constant curves do not flag tiny wobbles.'),
    spike_recovery_steps: positiveInt.default(100).describe('Spike: steps allowed to fall back under the pre-spike mean + 2σ before it counts as not recovering.'),
    spike_recurring_count: z.number().int().min(3).default(3).describe('Spike: this many spikes at a near-constant interval count as recurring (a data problem).'),
    spike_recurring_tolerance: z.number().gt(0).lt(1).default(0.02).describe('Spike: intervals within this fraction of each other (or 2 steps) count as near-constant; a data problem at a fixed position repeats almost exactly, while chance spikes in a long run easily fall within 5%.'),
    explosion_factor: z.number().positive().default(10).describe('Gradient explosion: grad norm > factor × running median.'),
    explosion_window: positiveInt.default(128).describe('Gradient explosion: the running median is taken over this many previous values.'),
    collapse_factor: z.number().positive().default(1e-3).describe('Gradient collapse: grad norm < factor × its early median...'),
    collapse_steps: positiveInt.default(50).describe('...for this many consecutive steps.'),
    collapse_early_steps: positiveInt.default(100).describe('Gradient collapse: the early median is taken over the first this many steps.'),
    clip_saturation: z.number().gt(0).lte(1).default(0.5).describe('Clip saturation: fraction of the last clip_window steps that were clipped.'),
    clip_window: positiveInt.default(100).describe('Clip saturation: how many recent steps the clipped fraction is taken over.'),
    clip_skip: z.number().min(0).lt(1).default(0.05).describe('Clip saturation: not judged over this first fraction of the planned steps (nor before warmup ends), while the gradient norm settles from its initial value.'),
    clip_min_ratio: z.number().min(0).default(1.5).describe('Clip saturation: also require the median pre-clip grad norm over the window above this × grad_clip; a norm hovering at the clip (usual for small models) only trims a few % off each step.'),
    clip_min_progress: z.number().min(0).default(0.01).describe('Clip saturation: a warning only when, clip_window steps or more after saturation is detected, the training loss has improved by less than this fraction since; while it keeps falling the clip merely scales the steps down (info).'),
    plateau_rel: z.number().positive().default(0.01).describe('Plateau: relative improvement of the smoothed loss below this over plateau_window.'),
    plateau_window: z.number().gt(0).lte(1).default(0.1).describe('Plateau: the window as a fraction of the planned steps (at least plateau_min_steps).'),
    plateau_min_steps: positiveInt.default(50).describe('Plateau: the shortest window in steps, whatever plateau_window gives.'),
    plateau_early: z.number().gt(0).lte(1).default(0.2).describe('Plateau: a warning when it starts within this fraction of the planned steps (else info).'),
    overfit_gap: z.number().positive().default(0.5).describe('Overfitting: val loss − smoothed train loss above this many nats.'),
    overfit_rising_evals: positiveInt.default(3).describe('Overfitting: val loss rising for this many evals in a row while train loss falls...'),
    overfit_min_rise: z.number().min(0).default(0.03).describe('...and val at least this many nats above its best so far (so eval noise does not count).'),
    collapse_seq_rep: z.number().gt(0).lte(1).default(0.5).describe('Response collapse: mean seq-rep-4 of the diagnostic samples above this.'),
    collapse_loop_fraction: z.number().gt(0).lte(1).default(0.5).describe('Response collapse: fraction of samples ending in a repetition loop above this.'),
    collapse_sameness: z.number().gt(0).lte(1).default(0.9).describe('Response collapse: similarity of outputs across different prompts above this.'),
    sft_collapse_near_identical: z.number().gt(0).lte(1).default(0.3).describe('Response collapse when fine-tuning: share of pairs of held-out questions whose answers are near-identical above this (different questions, one answer).'),
    sft_collapse_length_ratio: z.number().min(0).lt(1).default(0.5).describe('Response collapse when fine-tuning: mean answer length below this fraction of the reference answers\' length (answers shrink).'),
    collapse_after: z.number().min(0).lte(1).default(0.2).describe('Response collapse: before this fraction of the planned steps it is info (under-trained models loop).'),
  })
  .strict();
export type AlertsConfig = z.infer<typeof AlertsConfig>;

export const RunConfig = z
  .object({
    name: PrintableName.default('run').describe('A short name; ablation runs are named for what changed.'),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1337).describe('Fixes init, data order and dropout. Runs that differ only in seed measure noise: run 3 seeds of a baseline before trusting a small Δ.'),
    backend: BackendName.default('auto').describe('auto tries tensorflow (CUDA, then CPU), webgpu, wasm, cpu.'),
    data: DataConfig.default(DataConfig.parse({})).describe('What to train on: corpus, tokenizer and the train/validation split.'),
    model: ModelConfig.default(ModelConfig.parse({})).describe('Architecture: family and size. Parameters ≈ 12·n_layer·d_model² + vocab·d_model.'),
    train: TrainConfig.default(TrainConfig.parse({})).describe(
      'Optimisation recipe. Change one thing at a time: compound changes produce compound ignorance.',
    ),
    eval: EvalConfig.default(EvalConfig.parse({})).describe('How often and how much validation data to evaluate, and optional diagnostics.'),
    checkpoint: CheckpointConfig.default(CheckpointConfig.parse({})).describe('When checkpoints are written and how many are kept.'),
    alerts: AlertsConfig.default(AlertsConfig.parse({})).describe('Thresholds of the training alerts (DESIGN.md §5).'),
    init_from: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe('Start from these weights with a fresh optimizer: RUN or RUN@STEP (a Loupe run), or a checkpoint / Hugging Face folder. Tokenizer and shape must match.'),
  })
  .strict();

export type RunConfig = z.infer<typeof RunConfig>;
export type RunConfigInput = z.input<typeof RunConfig>;
export type ModelConfig = z.infer<typeof ModelConfig>;
export type TrainConfig = z.infer<typeof TrainConfig>;
export type DataConfig = z.infer<typeof DataConfig>;

export interface ConfigIssue {
  /** Dotted field path, e.g. "train.lr"; "" for the root. */
  path: string;
  message: string;
}

export type ConfigResult = { ok: true; config: RunConfig } | { ok: false; issues: ConfigIssue[] };

/**
 * Validates untrusted input (parsed YAML/JSON) into a fully resolved config, or lists every problem by field path;
 * options the schema names but the engine does not build yet are problems too.
 */
export function resolveConfig(input: unknown): ConfigResult {
  const parsed = RunConfig.safeParse(input ?? {});
  if (parsed.success) {
    const unbuilt = unbuiltOptions(parsed.data);
    return unbuilt.length === 0 ? { ok: true, config: parsed.data } : { ok: false, issues: unbuilt };
  }
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  };
}

export function formatConfigIssues(issues: ConfigIssue[]): string {
  return issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n');
}
