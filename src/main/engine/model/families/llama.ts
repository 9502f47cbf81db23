// LLaMA (Touvron et al. 2023) as llama2.c's model.py writes it: token embedding, pre-RMSNorm blocks of causal
// self-attention with rotary positions (HF rotate_half halves) and optional grouped-query heads, a SwiGLU MLP
// w2(silu(w1 x)·w3 x) or a mixture of them (model.moe), final RMSNorm, optionally tied head; no biases. The layout
// is src/shared/models/llama.ts.
import { tf } from '../../tf.ts';
import { causalSelfAttention, linear } from '../../ops.ts';
import { repeatKvHeads, rmsNorm, rope, ropeTables } from '../../llama-ops.ts';
import { swiglu } from '../../llama-ops.ts';
import { kvHeads, llamaLayout, llamaNames, ROPE_THETA_DEFAULT, type LlamaBlockNames } from '../../../../shared/models/llama.ts';
import { dropout } from '../layers.ts';
import { moeMlp, moeResult, type Experts, type MoeLayer } from '../moe.ts';
import type { DecodeResult, Family, ForwardOptions, ForwardResult, KvCache, ModelSpec, Weights } from '../types.ts';

function param<T extends tf.Tensor>(w: Weights, name: string): T {
  const v = w.get(name);
  if (!v) throw new Error(`missing parameter ${name}`);
  return v as T;
}

const norm = (x: tf.Tensor2D, w: Weights, spec: ModelSpec, name: string): tf.Tensor2D => rmsNorm(x, param(w, name), spec.norm_eps);

/** Attention over q [n, H·hd] and k, v [n, KV·hd] (RoPE applied) → merged heads [n, d]: full causal, or against a KV cache. */
export type AttentionCore = (q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D) => tf.Tensor2D;

/** Attention unit: RMSNorm, q/k/v projections, RoPE at positions [start, start + T), the core, output projection. */
function attention(x: tf.Tensor2D, w: Weights, spec: ModelSpec, b: LlamaBlockNames, batch: number, start: number, core: AttentionCore): tf.Tensor2D {
  const h = norm(x, w, spec, b.attnNorm);
  const T = h.shape[0] / batch;
  const tables = ropeTables(start, T, spec.d_model / spec.n_head, spec.rope_theta ?? ROPE_THETA_DEFAULT);
  const q = rope(linear(h, param(w, b.q)), batch, spec.n_head, tables);
  const k = rope(linear(h, param(w, b.k)), batch, kvHeads(spec), tables);
  return linear(core(q, k, linear(h, param(w, b.v))), param(w, b.o));
}

/** The SwiGLU experts of a MoE block: each alone, or all at once with their gate and up projections side by side. */
function experts(w: Weights, spec: ModelSpec, b: LlamaBlockNames): Experts {
  const ex = Array.from({ length: spec.moe!.experts }, (_, e) => b.expert(e));
  const gates = ex.map((x) => param<tf.Tensor2D>(w, x.gate));
  const ups = ex.map((x) => param<tf.Tensor2D>(w, x.up));
  return {
    count: ex.length,
    hidden: (e, h) => swiglu(linear(h, gates[e]!), linear(h, ups[e]!)),
    hiddenAll: (h) => swiglu(linear(h, tf.concat(gates, 1)), linear(h, tf.concat(ups, 1))),
    down: ex.map((x) => param<tf.Tensor2D>(w, x.down)),
  };
}

/** MLP unit: RMSNorm, SwiGLU down(silu(gate x)·up x), or a mixture of such experts (before the residual add). */
function mlp(x: tf.Tensor2D, w: Weights, spec: ModelSpec, b: LlamaBlockNames, moe: MoeLayer[]): tf.Tensor2D {
  const h = norm(x, w, spec, b.mlpNorm);
  if (spec.moe) {
    const layer = moeMlp(h, param(w, b.router), spec.moe.top_k, experts(w, spec, b));
    moe.push(layer);
    return layer.y;
  }
  return linear(swiglu(linear(h, param(w, b.gate)), linear(h, param(w, b.up))), param(w, b.down));
}

/**
 * One pre-norm block with residual dropout (rate 0 when decoding or evaluating); a MoE block adds its routing to
 * `moe`. The hybrid family's attention layers too.
 */
export function llamaBlock(
  x: tf.Tensor2D, w: Weights, spec: ModelSpec, i: number, batch: number, start: number, core: AttentionCore, rate: number, seed: (() => number) | undefined, moe: MoeLayer[],
): tf.Tensor2D {
  const b = llamaNames.block(i);
  const y = tf.add(x, dropout(attention(x, w, spec, b, batch, start, core), rate, seed)) as tf.Tensor2D;
  return tf.add(y, dropout(mlp(y, w, spec, b, moe), rate, seed)) as tf.Tensor2D;
}

/** Final RMSNorm and the output head (the token embedding when tied; lm_head is held [d, vocab]). */
export function llamaHead(x: tf.Tensor2D, w: Weights, spec: ModelSpec): tf.Tensor2D {
  const h = norm(x, w, spec, llamaNames.norm);
  if (spec.tie_embeddings) return linear(h, tf.transpose(param<tf.Tensor2D>(w, llamaNames.embed)));
  return linear(h, param(w, llamaNames.lmHead));
}

export function llamaEmbed(w: Weights, idx: tf.Tensor2D): tf.Tensor2D {
  return tf.gather(param<tf.Tensor2D>(w, llamaNames.embed), tf.reshape(idx, [-1])) as tf.Tensor2D;
}

/** Attention-probability dropout: a fresh seeded mask per layer and step, as gpt draws it. */
function attnDropout(rate: number, seed: (() => number) | undefined): { rate: number; seed: number } | undefined {
  if (rate <= 0) return undefined;
  if (!seed) throw new Error('dropout needs a seed source when training');
  return { rate, seed: seed() };
}

/** The full causal attention of a training or evaluation pass over `batch` sequences. */
export function trainingCore(spec: ModelSpec, batch: number, rate: number, seed: (() => number) | undefined): AttentionCore {
  const kv = kvHeads(spec);
  const groups = spec.n_head / kv;
  // Shared key/value heads are repeated out so the (fused, on wasm) causal attention sees plain multi-head qkv.
  return (q, k, v) =>
    causalSelfAttention(tf.concat([q, repeatKvHeads(k, kv, groups), repeatKvHeads(v, kv, groups)], 1), batch, spec.n_head, attnDropout(rate, seed));
}

function forward(w: Weights, spec: ModelSpec, idx: tf.Tensor2D, opts: ForwardOptions): ForwardResult {
  const [B, T] = idx.shape;
  if (T > spec.block_size) throw new Error(`sequence of ${T} tokens exceeds block_size ${spec.block_size}`);
  const rate = opts.training ? spec.dropout : 0;
  const seed = opts.dropoutSeed;
  const llamaCore = trainingCore(spec, B, rate, seed);
  const embedded = llamaEmbed(w, idx);
  let x = dropout(embedded, rate, seed);
  const hidden: tf.Tensor3D[] = [];
  const moe: MoeLayer[] = [];
  for (let i = 0; i < spec.n_layer; i++) {
    x = llamaBlock(x, w, spec, i, B, 0, llamaCore, rate, seed, moe);
    hidden.push(tf.reshape(x, [B, T, spec.d_model]));
  }
  const logits = tf.reshape(llamaHead(x, w, spec), [B, T, spec.vocab_size]) as tf.Tensor3D;
  return { logits, hidden, embedded: tf.reshape(embedded, [B, T, spec.d_model]), ...moeResult(moe) };
}

/**
 * Attention of T new positions (from `start`) against one layer's cached keys and values [1, KV, start, hd] (null:
 * none yet); the layer's extended keys and values are pushed onto ks and vs.
 */
export function cachedCore(spec: ModelSpec, T: number, start: number, past: { k: tf.Tensor4D; v: tf.Tensor4D } | null, ks: tf.Tensor4D[], vs: tf.Tensor4D[]): AttentionCore {
  const H = spec.n_head;
  const KV = kvHeads(spec);
  const hd = spec.d_model / H;
  const groups = H / KV;
  const L = start + T;
  const toHeads = (t: tf.Tensor2D, heads: number): tf.Tensor4D => tf.transpose(tf.reshape(t, [1, T, heads, hd]), [0, 2, 1, 3]);
  // [1, KV, L, hd] → [1, H, L, hd], query head j reading key/value head ⌊j / groups⌋.
  const share = (t: tf.Tensor4D): tf.Tensor4D => (groups === 1 ? t : tf.reshape(tf.tile(tf.expandDims(t, 2), [1, 1, groups, 1, 1]), [1, H, L, hd]));
  return (q, k, v) => {
    const K = past ? tf.concat([past.k, toHeads(k, KV)], 2) : toHeads(k, KV);
    const V = past ? tf.concat([past.v, toHeads(v, KV)], 2) : toHeads(v, KV);
    ks.push(K);
    vs.push(V);
    // Query i (absolute position start+i) sees keys 0..start+i.
    const negInf = tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, L]), -1, start)), -1e9);
    const scores = tf.add(tf.mul(tf.matMul(toHeads(q, H), share(K), false, true), 1 / Math.sqrt(hd)), negInf);
    return tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), share(V)), [0, 2, 1, 3]), [T, spec.d_model]);
  };
}

interface LlamaCache extends KvCache {
  /** Per layer, keys (RoPE applied) and values of the key/value heads, [1, KV, length, hd]. */
  k: tf.Tensor4D[];
  v: tf.Tensor4D[];
}

function decode(w: Weights, spec: ModelSpec, idx: tf.Tensor2D, cache: KvCache | null): DecodeResult {
  const old = cache as LlamaCache | null;
  const start = old?.length ?? 0;
  const [B, T] = idx.shape;
  if (B !== 1) throw new Error('decode takes one sequence');
  if (start + T > spec.block_size) throw new Error(`KV cache would exceed block_size ${spec.block_size}`);
  const L = start + T;
  const out = tf.tidy(() => {
    const ks: tf.Tensor4D[] = [];
    const vs: tf.Tensor4D[] = [];
    let x = llamaEmbed(w, idx);
    for (let i = 0; i < spec.n_layer; i++) {
      x = llamaBlock(x, w, spec, i, 1, start, cachedCore(spec, T, start, old ? { k: old.k[i]!, v: old.v[i]! } : null, ks, vs), 0, undefined, []);
    }
    const last = tf.slice(x, [T - 1, 0], [1, spec.d_model]);
    return { logits: tf.reshape(llamaHead(last, w, spec), [-1]) as tf.Tensor1D, ks, vs };
  });
  old?.dispose();
  const next: LlamaCache = {
    length: L,
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

export const llama: Family = { layout: llamaLayout, forward, decode };
