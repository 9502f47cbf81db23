// LLaMA (Touvron et al. 2023) as llama2.c's model.py writes it: pre-RMSNorm blocks, rotary positions (HF
// rotate_half halves), SwiGLU MLP w2(silu(w1 x)·w3 x), no biases, optional grouped-query attention and tied
// head. Names are Hugging Face LlamaForCausalLM's; matrices are kept [in, out] (x·W) and transposed at export.
import { tf } from '../tf.ts';
import { causalSelfAttention, linear } from '../ops.ts';
import { repeatKvHeads, rmsNorm, rope, ropeTables, swiglu } from '../llama-ops.ts';
import type { Rng } from '../rng.ts';
import { dropout } from './layers.ts';
import type { ForwardOptions, ForwardResult, KvCache, LanguageModel, ModelSpec } from './types.ts';

/** What the optimizer and export need to know of a parameter beyond its shape. */
export type ParamRole = 'embedding' | 'head' | 'norm' | 'bias' | 'matrix';

export interface LayoutEntry {
  /** Hugging Face name. */
  name: string;
  /** Shape as the model holds it ([in, out] for matrices). */
  shape: number[];
  /** Init std of N(0, std); 0 = zeros, -1 = ones. */
  std: number;
  role: ParamRole;
  /** Stored [out, in] in the HF layout (nn.Linear), so transposed at export and import. */
  hfTransposed: boolean;
}

export const ROPE_THETA_DEFAULT = 10000;
const SWIGLU_MULTIPLE_OF = 32;

/** SwiGLU width as llama2.c picks it: 2/3 of 4·d (same parameters as a 4·d two-matrix MLP), rounded up to 32. */
export function swigluHidden(d: number): number {
  const h = Math.floor((2 * 4 * d) / 3);
  return SWIGLU_MULTIPLE_OF * Math.ceil(h / SWIGLU_MULTIPLE_OF);
}

export function llamaMlpHidden(spec: Pick<ModelSpec, 'mlp_hidden' | 'd_model'>): number {
  return spec.mlp_hidden ?? swigluHidden(spec.d_model);
}

export function kvHeads(spec: Pick<ModelSpec, 'n_kv_head' | 'n_head'>): number {
  return spec.n_kv_head ?? spec.n_head;
}

/** Every parameter in Hugging Face order: the one table construction, counting and export all read. */
export function llamaLayout(spec: ModelSpec): LayoutEntry[] {
  const d = spec.d_model;
  const hd = d / spec.n_head;
  const kv = kvHeads(spec) * hd;
  const hidden = llamaMlpHidden(spec);
  const projStd = 0.02 / Math.sqrt(2 * spec.n_layer);
  const out: LayoutEntry[] = [];
  const add = (name: string, shape: number[], std: number, role: ParamRole): void =>
    void out.push({ name, shape, std, role, hfTransposed: role === 'matrix' || role === 'head' });
  add('model.embed_tokens.weight', [spec.vocab_size, d], 0.02, 'embedding');
  for (let i = 0; i < spec.n_layer; i++) {
    const p = `model.layers.${i}.`;
    add(`${p}input_layernorm.weight`, [d], -1, 'norm');
    add(`${p}self_attn.q_proj.weight`, [d, d], 0.02, 'matrix');
    add(`${p}self_attn.k_proj.weight`, [d, kv], 0.02, 'matrix');
    add(`${p}self_attn.v_proj.weight`, [d, kv], 0.02, 'matrix');
    add(`${p}self_attn.o_proj.weight`, [d, d], projStd, 'matrix');
    add(`${p}post_attention_layernorm.weight`, [d], -1, 'norm');
    add(`${p}mlp.gate_proj.weight`, [d, hidden], 0.02, 'matrix');
    add(`${p}mlp.up_proj.weight`, [d, hidden], 0.02, 'matrix');
    add(`${p}mlp.down_proj.weight`, [hidden, d], projStd, 'matrix');
  }
  add('model.norm.weight', [d], -1, 'norm');
  // Kept [in, out] = [d, vocab] like the other matrices; HF's lm_head.weight is [vocab, d].
  if (!spec.tie_embeddings) add('lm_head.weight', [d, spec.vocab_size], 0.02, 'head');
  return out;
}

interface LlamaCache extends KvCache {
  /** Per layer, keys after RoPE and values, [1, kvHeads, length, hd], before the heads are shared out. */
  k: tf.Tensor4D[];
  v: tf.Tensor4D[];
}

/** Names of one block's parameters, built once. */
interface BlockNames {
  attnNorm: string;
  q: string;
  k: string;
  v: string;
  o: string;
  mlpNorm: string;
  gate: string;
  up: string;
  down: string;
}

function blockNames(i: number): BlockNames {
  const p = `model.layers.${i}.`;
  return {
    attnNorm: `${p}input_layernorm.weight`,
    q: `${p}self_attn.q_proj.weight`,
    k: `${p}self_attn.k_proj.weight`,
    v: `${p}self_attn.v_proj.weight`,
    o: `${p}self_attn.o_proj.weight`,
    mlpNorm: `${p}post_attention_layernorm.weight`,
    gate: `${p}mlp.gate_proj.weight`,
    up: `${p}mlp.up_proj.weight`,
    down: `${p}mlp.down_proj.weight`,
  };
}

export class Llama implements LanguageModel {
  readonly family = 'llama' as const;
  readonly params = new Map<string, tf.Variable>();
  private readonly roles = new Map<string, ParamRole>();
  private readonly blocks: BlockNames[];
  private readonly eps: number;
  private readonly theta: number;
  private readonly headDim: number;
  private readonly kvHeads: number;

  constructor(
    readonly spec: ModelSpec,
    rng: Rng,
  ) {
    for (const { name, shape, std, role } of llamaLayout(spec)) {
      const size = shape.reduce((a, b) => a * b, 1);
      const values = std > 0 ? rng.normalArray(size, std) : new Float32Array(size).fill(std < 0 ? 1 : 0);
      this.params.set(name, tf.variable(tf.tensor(values, shape, 'float32'), true));
      this.roles.set(name, role);
    }
    this.blocks = Array.from({ length: spec.n_layer }, (_, i) => blockNames(i));
    this.eps = spec.norm_eps;
    this.theta = spec.rope_theta ?? ROPE_THETA_DEFAULT;
    this.headDim = spec.d_model / spec.n_head;
    this.kvHeads = kvHeads(spec);
  }

  private p<T extends tf.Tensor>(name: string): T {
    const v = this.params.get(name);
    if (!v) throw new Error(`missing parameter ${name}`);
    return v as unknown as T;
  }

  role(name: string): ParamRole {
    const r = this.roles.get(name);
    if (!r) throw new Error(`missing parameter ${name}`);
    return r;
  }

  decays(name: string): boolean {
    const r = this.role(name);
    return r === 'matrix' || r === 'head';
  }

  /** q (all heads) and k, v (key/value heads) of [B·T, d] input at positions [start, start + T), RoPE applied. */
  private qkv(h: tf.Tensor2D, b: BlockNames, batch: number, start: number): [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D] {
    const T = h.shape[0] / batch;
    const tables = ropeTables(start, T, this.headDim, this.theta);
    const q = rope(linear(h, this.p(b.q)), batch, this.spec.n_head, tables);
    const k = rope(linear(h, this.p(b.k)), batch, this.kvHeads, tables);
    return [q, k, linear(h, this.p(b.v))];
  }

  private mlp(x: tf.Tensor2D, b: BlockNames): tf.Tensor2D {
    const h = rmsNorm(x, this.p(b.mlpNorm), this.eps);
    return linear(swiglu(linear(h, this.p(b.gate)), linear(h, this.p(b.up))), this.p(b.down));
  }

  private head(x: tf.Tensor2D): tf.Tensor2D {
    const h = rmsNorm(x, this.p('model.norm.weight'), this.eps);
    if (this.spec.tie_embeddings) return linear(h, tf.transpose(this.p<tf.Tensor2D>('model.embed_tokens.weight')));
    return linear(h, this.p('lm_head.weight'));
  }

  private embed(idx: tf.Tensor2D): tf.Tensor2D {
    return tf.gather(this.p<tf.Tensor2D>('model.embed_tokens.weight'), tf.reshape(idx, [-1])) as tf.Tensor2D;
  }

  forward(idx: tf.Tensor2D, opts: ForwardOptions): ForwardResult {
    const [B, T] = idx.shape;
    if (T > this.spec.block_size) throw new Error(`sequence of ${T} tokens exceeds block_size ${this.spec.block_size}`);
    const rate = opts.training ? this.spec.dropout : 0;
    const seed = opts.dropoutSeed;
    const groups = this.spec.n_head / this.kvHeads;
    let x = dropout(this.embed(idx), rate, seed);
    const hidden: tf.Tensor3D[] = [];
    for (const b of this.blocks) {
      const h = rmsNorm(x, this.p(b.attnNorm), this.eps);
      const [q, k, v] = this.qkv(h, b, B, 0);
      // Shared key/value heads are repeated out so the (fused, on wasm) causal attention sees plain multi-head.
      const qkv = tf.concat([q, repeatKvHeads(k, this.kvHeads, groups), repeatKvHeads(v, this.kvHeads, groups)], 1);
      const att = causalSelfAttention(qkv, B, this.spec.n_head, attnDropout(rate, seed));
      x = tf.add(x, dropout(linear(att, this.p(b.o)), rate, seed));
      x = tf.add(x, dropout(this.mlp(x, b), rate, seed));
      hidden.push(tf.reshape(x, [B, T, this.spec.d_model]));
    }
    return { logits: tf.reshape(this.head(x), [B, T, this.spec.vocab_size]), hidden };
  }

  decode(idx: tf.Tensor2D, cache: KvCache | null): { logits: tf.Tensor1D; cache: KvCache } {
    const old = cache as LlamaCache | null;
    const start = old?.length ?? 0;
    const [B, T] = idx.shape;
    if (B !== 1) throw new Error('decode takes one sequence');
    if (start + T > this.spec.block_size) throw new Error(`KV cache would exceed block_size ${this.spec.block_size}`);
    const H = this.spec.n_head;
    const KV = this.kvHeads;
    const hd = this.headDim;
    const groups = H / KV;
    const toHeads = (t: tf.Tensor2D, heads: number): tf.Tensor4D => tf.transpose(tf.reshape(t, [1, T, heads, hd]), [0, 2, 1, 3]);
    const out = tf.tidy(() => {
      let x = this.embed(idx);
      const ks: tf.Tensor4D[] = [];
      const vs: tf.Tensor4D[] = [];
      // Query i (absolute position start+i) sees keys 0..start+i.
      const negInf = tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, start + T]), -1, start)), -1e9);
      this.blocks.forEach((b, i) => {
        const h = rmsNorm(x, this.p(b.attnNorm), this.eps);
        const [q, k, v] = this.qkv(h, b, 1, start);
        const K = old ? tf.concat([old.k[i]!, toHeads(k, KV)], 2) : toHeads(k, KV);
        const V = old ? tf.concat([old.v[i]!, toHeads(v, KV)], 2) : toHeads(v, KV);
        ks.push(K);
        vs.push(V);
        // [1, KV, L, hd] → [1, H, L, hd], query head j reading key/value head ⌊j / groups⌋.
        const share = (t: tf.Tensor4D): tf.Tensor4D =>
          groups === 1 ? t : tf.reshape(tf.tile(tf.expandDims(t, 2), [1, 1, groups, 1, 1]), [1, H, start + T, hd]);
        const scores = tf.add(tf.mul(tf.matMul(toHeads(q, H), share(K), false, true), 1 / Math.sqrt(hd)), negInf);
        const y = tf.matMul(tf.softmax(scores), share(V));
        const att = tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [T, this.spec.d_model]) as tf.Tensor2D;
        x = tf.add(x, linear(att, this.p(b.o)));
        x = tf.add(x, this.mlp(x, b));
      });
      const last = tf.slice(x, [T - 1, 0], [1, this.spec.d_model]);
      return { logits: tf.reshape(this.head(last), [-1]) as tf.Tensor1D, ks, vs };
    });
    old?.dispose();
    const next: LlamaCache = {
      length: start + T,
      k: out.ks,
      v: out.vs,
      dispose() {
        for (const t of [...this.k, ...this.v]) t.dispose();
        this.k = [];
        this.v = [];
      },
    };
    return { logits: out.logits, cache: next };
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}

/** Attention-probability dropout: a fresh seeded mask per layer and step, as gpt draws it. */
function attnDropout(rate: number, seed: (() => number) | undefined): { rate: number; seed: number } | undefined {
  if (rate <= 0) return undefined;
  if (!seed) throw new Error('dropout needs a seed source when training');
  return { rate, seed: seed() };
}
