// GPT-2 (Radford et al. 2019), as nanoGPT writes it: learned positions, pre-LayerNorm blocks, GELU-tanh MLP 4×,
// tied embeddings, N(0, 0.02) init with residual projections scaled by 1/√(2·n_layer). Parameter names and
// layouts are those of Hugging Face GPT2LMHeadModel (Conv1D weights are [in, out]) so checkpoints load there.
import { tf } from '../tf.ts';
import { causalSelfAttention, gelu, linear } from '../ops.ts';
import type { Rng } from '../rng.ts';
import { dropout, layerNorm } from './layers.ts';
import type { ForwardOptions, ForwardResult, KvCache, LanguageModel, ModelSpec } from './types.ts';
import { mlpHidden } from '../../../shared/config.ts';

/** GPT-2's attn_dropout on the attention probabilities: a fresh seeded mask per layer and step. */
function attnDropout(rate: number, seed: (() => number) | undefined): { rate: number; seed: number } | undefined {
  if (rate <= 0) return undefined;
  if (!seed) throw new Error('dropout needs a seed source when training');
  return { rate, seed: seed() };
}

interface GptCache extends KvCache {
  k: tf.Tensor4D[];
  v: tf.Tensor4D[];
}

/** Parameter names and shapes in Hugging Face order; the init std of each (0 = zeros, -1 = ones). */
export function gptParamShapes(spec: ModelSpec): { name: string; shape: number[]; std: number }[] {
  const d = spec.d_model;
  const out: { name: string; shape: number[]; std: number }[] = [];
  const add = (name: string, shape: number[], std: number): void => void out.push({ name, shape, std });
  const projStd = 0.02 / Math.sqrt(2 * spec.n_layer);
  const hidden = mlpHidden(spec);
  add('transformer.wte.weight', [spec.vocab_size, d], 0.02);
  add('transformer.wpe.weight', [spec.block_size, d], 0.02);
  for (let i = 0; i < spec.n_layer; i++) {
    const p = `transformer.h.${i}.`;
    add(`${p}ln_1.weight`, [d], -1);
    if (spec.bias) add(`${p}ln_1.bias`, [d], 0);
    add(`${p}attn.c_attn.weight`, [d, 3 * d], 0.02);
    if (spec.bias) add(`${p}attn.c_attn.bias`, [3 * d], 0);
    add(`${p}attn.c_proj.weight`, [d, d], projStd);
    if (spec.bias) add(`${p}attn.c_proj.bias`, [d], 0);
    add(`${p}ln_2.weight`, [d], -1);
    if (spec.bias) add(`${p}ln_2.bias`, [d], 0);
    add(`${p}mlp.c_fc.weight`, [d, hidden], 0.02);
    if (spec.bias) add(`${p}mlp.c_fc.bias`, [hidden], 0);
    add(`${p}mlp.c_proj.weight`, [hidden, d], projStd);
    if (spec.bias) add(`${p}mlp.c_proj.bias`, [d], 0);
  }
  add('transformer.ln_f.weight', [d], -1);
  if (spec.bias) add('transformer.ln_f.bias', [d], 0);
  // HF's Linear keeps [out, in]; only present when the head is not tied to wte.
  if (!spec.tie_embeddings) add('lm_head.weight', [spec.vocab_size, d], 0.02);
  return out;
}

export class Gpt implements LanguageModel {
  readonly family = 'gpt' as const;
  readonly params = new Map<string, tf.Variable>();

  constructor(
    readonly spec: ModelSpec,
    rng: Rng,
  ) {
    for (const { name, shape, std } of gptParamShapes(spec)) {
      const size = shape.reduce((a, b) => a * b, 1);
      const values = std > 0 ? rng.normalArray(size, std) : new Float32Array(size).fill(std < 0 ? 1 : 0);
      this.params.set(name, tf.variable(tf.tensor(values, shape, 'float32'), true));
    }
  }

  private override: Map<string, tf.Tensor> | null = null;

  /** Runs `fn` with these tensors standing in for the parameters (a functional forward, for gradient checks). */
  withParams<R>(values: Map<string, tf.Tensor>, fn: () => R): R {
    this.override = values;
    try {
      return fn();
    } finally {
      this.override = null;
    }
  }

  private p<T extends tf.Tensor>(name: string): T {
    const v = this.override?.get(name) ?? this.params.get(name);
    if (!v) throw new Error(`missing parameter ${name}`);
    return v as unknown as T;
  }

  private opt(name: string): tf.Tensor1D | undefined {
    return this.spec.bias ? this.p<tf.Tensor1D>(name) : undefined;
  }

  decays(name: string): boolean {
    return name.endsWith('.weight') && this.params.get(name)?.rank === 2 && !/\.(wte|wpe)\./.test(name);
  }

  /** Token + position embeddings for positions [start, start + T), flattened to [B·T, d]. */
  private embed(idx: tf.Tensor2D, start: number): tf.Tensor2D {
    const [B, T] = idx.shape;
    const d = this.spec.d_model;
    const tok = tf.reshape(tf.gather(this.p<tf.Tensor2D>('transformer.wte.weight'), tf.reshape(idx, [-1])), [B, T, d]);
    const pos = tf.slice(this.p<tf.Tensor2D>('transformer.wpe.weight'), [start, 0], [T, d]);
    return tf.reshape(tf.add(tok, pos), [B * T, d]);
  }

  /** Splits [B·T, 3d] into q, k, v as [B, H, T, hd]. */
  private heads(qkv: tf.Tensor2D, B: number, T: number): tf.Tensor4D[] {
    const H = this.spec.n_head;
    const hd = this.spec.d_model / H;
    return tf.split(qkv, 3, 1).map((t) => tf.transpose(tf.reshape(t, [B, T, H, hd]), [0, 2, 1, 3]) as tf.Tensor4D);
  }

  private mergeHeads(y: tf.Tensor4D, B: number, T: number): tf.Tensor2D {
    return tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [B * T, this.spec.d_model]);
  }

  private mlp(x: tf.Tensor2D, p: string): tf.Tensor2D {
    const h = linear(x, this.p(`${p}mlp.c_fc.weight`), this.opt(`${p}mlp.c_fc.bias`));
    return linear(gelu(h) as tf.Tensor2D, this.p(`${p}mlp.c_proj.weight`), this.opt(`${p}mlp.c_proj.bias`));
  }

  private head(x: tf.Tensor2D): tf.Tensor2D {
    const h = layerNorm(x, this.p('transformer.ln_f.weight'), this.opt('transformer.ln_f.bias'));
    const w = this.spec.tie_embeddings ? this.p<tf.Tensor2D>('transformer.wte.weight') : this.p<tf.Tensor2D>('lm_head.weight');
    return linear(h, tf.transpose(w));
  }

  forward(idx: tf.Tensor2D, opts: ForwardOptions): ForwardResult {
    const [B, T] = idx.shape;
    if (T > this.spec.block_size) throw new Error(`sequence of ${T} tokens exceeds block_size ${this.spec.block_size}`);
    const rate = opts.training ? this.spec.dropout : 0;
    const seed = opts.dropoutSeed;
    const d = this.spec.d_model;
    let x = dropout(this.embed(idx, 0), rate, seed);
    const hidden: tf.Tensor3D[] = [];
    for (let i = 0; i < this.spec.n_layer; i++) {
      const p = `transformer.h.${i}.`;
      const h = layerNorm(x, this.p(`${p}ln_1.weight`), this.opt(`${p}ln_1.bias`));
      const qkv = linear(h, this.p(`${p}attn.c_attn.weight`), this.opt(`${p}attn.c_attn.bias`));
      const att = causalSelfAttention(qkv, B, this.spec.n_head, attnDropout(rate, seed));
      const proj = linear(att, this.p(`${p}attn.c_proj.weight`), this.opt(`${p}attn.c_proj.bias`));
      x = tf.add(x, dropout(proj, rate, seed));
      const m = this.mlp(layerNorm(x, this.p(`${p}ln_2.weight`), this.opt(`${p}ln_2.bias`)), p);
      x = tf.add(x, dropout(m, rate, seed));
      hidden.push(tf.reshape(x, [B, T, d]));
    }
    return { logits: tf.reshape(this.head(x), [B, T, this.spec.vocab_size]), hidden };
  }

  decode(idx: tf.Tensor2D, cache: KvCache | null): { logits: tf.Tensor1D; cache: KvCache } {
    const old = cache as GptCache | null;
    const start = old?.length ?? 0;
    const [B, T] = idx.shape;
    if (B !== 1) throw new Error('decode takes one sequence');
    if (start + T > this.spec.block_size) throw new Error(`KV cache would exceed block_size ${this.spec.block_size}`);
    const H = this.spec.n_head;
    const hd = this.spec.d_model / H;
    const out = tf.tidy(() => {
      let x = this.embed(idx, start);
      const ks: tf.Tensor4D[] = [];
      const vs: tf.Tensor4D[] = [];
      // Query i (absolute position start+i) sees keys 0..start+i.
      const mask = tf.linalg.bandPart(tf.ones([T, start + T]), -1, start);
      const negInf = tf.mul(tf.sub(1, mask), -1e9);
      for (let i = 0; i < this.spec.n_layer; i++) {
        const p = `transformer.h.${i}.`;
        const h = layerNorm(x, this.p(`${p}ln_1.weight`), this.opt(`${p}ln_1.bias`));
        const [q, k, v] = this.heads(linear(h, this.p(`${p}attn.c_attn.weight`), this.opt(`${p}attn.c_attn.bias`)), 1, T);
        const K = old ? tf.concat([old.k[i], k], 2) : k;
        const V = old ? tf.concat([old.v[i], v], 2) : v;
        ks.push(K);
        vs.push(V);
        const scores = tf.add(tf.mul(tf.matMul(q, K, false, true), 1 / Math.sqrt(hd)), negInf);
        const att = this.mergeHeads(tf.matMul(tf.softmax(scores), V) as tf.Tensor4D, 1, T);
        x = tf.add(x, linear(att, this.p(`${p}attn.c_proj.weight`), this.opt(`${p}attn.c_proj.bias`)));
        x = tf.add(x, this.mlp(layerNorm(x, this.p(`${p}ln_2.weight`), this.opt(`${p}ln_2.bias`)), p));
      }
      const last = tf.slice(x, [T - 1, 0], [1, this.spec.d_model]);
      return { logits: tf.reshape(this.head(last), [-1]) as tf.Tensor1D, ks, vs };
    });
    old?.dispose();
    const next: GptCache = {
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
