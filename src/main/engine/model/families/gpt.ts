// GPT-2 (Radford et al. 2019) as nanoGPT writes it: token + learned position embeddings, pre-LayerNorm blocks of
// causal self-attention and a GELU-tanh MLP (or a mixture of them, model.moe), final LayerNorm, head tied to the
// token embedding. The layout (names, shapes, init, roles) is src/shared/models/gpt.ts.
import { tf } from '../../tf.ts';
import { causalSelfAttention, gelu, linear } from '../../ops.ts';
import { gptLayout, gptNames, type Affine, type GptBlockNames } from '../../../../shared/models/gpt.ts';
import { dropout, layerNorm } from '../layers.ts';
import { moeMlp, moeResult, type Experts, type MoeLayer } from '../moe.ts';
import type { DecodeResult, Family, ForwardOptions, ForwardResult, KvCache, ModelSpec, Weights } from '../types.ts';

function param<T extends tf.Tensor>(w: Weights, name: string): T {
  const v = w.get(name);
  if (!v) throw new Error(`missing parameter ${name}`);
  return v as T;
}

/** A Conv1D's (x·W + b) or a LayerNorm's weight and bias; the bias only when the model has biases. */
function pair<W extends tf.Tensor>(w: Weights, spec: ModelSpec, a: Affine): [W, tf.Tensor1D | undefined] {
  return [param<W>(w, a.weight), spec.bias ? param<tf.Tensor1D>(w, a.bias) : undefined];
}

const conv1d = (x: tf.Tensor2D, w: Weights, spec: ModelSpec, a: Affine): tf.Tensor2D => linear(x, ...pair<tf.Tensor2D>(w, spec, a));
const norm = (x: tf.Tensor2D, w: Weights, spec: ModelSpec, a: Affine): tf.Tensor2D => layerNorm(x, ...pair<tf.Tensor1D>(w, spec, a));

/** Token + position embeddings for positions [start, start + T), flattened to [B·T, d]. */
function embed(w: Weights, spec: ModelSpec, idx: tf.Tensor2D, start: number): tf.Tensor2D {
  const [B, T] = idx.shape;
  const d = spec.d_model;
  const tok = tf.reshape(tf.gather(param<tf.Tensor2D>(w, gptNames.wte), tf.reshape(idx, [-1])), [B, T, d]);
  const pos = tf.slice(param<tf.Tensor2D>(w, gptNames.wpe), [start, 0], [T, d]);
  return tf.reshape(tf.add(tok, pos), [B * T, d]);
}

/** Attention over the fused projection qkv [B·T, 3d] → merged heads [B·T, d]: the full causal one, or against a KV cache. */
type AttentionCore = (qkv: tf.Tensor2D) => tf.Tensor2D;

/** Attention unit: LayerNorm, qkv projection, the attention core, output projection (before the residual add). */
function attention(x: tf.Tensor2D, w: Weights, spec: ModelSpec, b: GptBlockNames, core: AttentionCore): tf.Tensor2D {
  const qkv = conv1d(norm(x, w, spec, b.ln1), w, spec, b.qkv);
  return conv1d(core(qkv), w, spec, b.attnProj);
}

/** The GELU experts of a MoE block: each alone, or all at once with their expansions side by side. */
function experts(w: Weights, spec: ModelSpec, b: GptBlockNames): Experts {
  const ex = Array.from({ length: spec.moe!.experts }, (_, e) => b.expert(e));
  const fc = ex.map((x) => pair<tf.Tensor2D>(w, spec, x.fc));
  return {
    count: ex.length,
    hidden: (e, h) => gelu(linear(h, ...fc[e]!)) as tf.Tensor2D,
    hiddenAll: (h) => gelu(linear(h, tf.concat(fc.map(([wt]) => wt), 1), spec.bias ? tf.concat(fc.map(([, bias]) => bias!)) : undefined)) as tf.Tensor2D,
    down: ex.map((x) => param<tf.Tensor2D>(w, x.mlpProj.weight)),
    downBias: spec.bias ? ex.map((x) => param<tf.Tensor1D>(w, x.mlpProj.bias)) : undefined,
  };
}

/** MLP unit: LayerNorm, 4× expansion, GELU-tanh, projection back, or a mixture of such MLPs (before the residual add). */
function mlp(x: tf.Tensor2D, w: Weights, spec: ModelSpec, b: GptBlockNames, moe: MoeLayer[]): tf.Tensor2D {
  const h = norm(x, w, spec, b.ln2);
  if (spec.moe) {
    const layer = moeMlp(h, param(w, b.router), spec.moe.top_k, experts(w, spec, b));
    moe.push(layer);
    return layer.y;
  }
  return conv1d(gelu(conv1d(h, w, spec, b.fc)) as tf.Tensor2D, w, spec, b.mlpProj);
}

/** One pre-norm block with residual dropout (rate 0 when decoding or evaluating); a MoE block adds its routing to `moe`. */
function block(x: tf.Tensor2D, w: Weights, spec: ModelSpec, i: number, core: AttentionCore, rate: number, seed: (() => number) | undefined, moe: MoeLayer[]): tf.Tensor2D {
  const b = gptNames.block(i);
  const y = tf.add(x, dropout(attention(x, w, spec, b, core), rate, seed)) as tf.Tensor2D;
  return tf.add(y, dropout(mlp(y, w, spec, b, moe), rate, seed)) as tf.Tensor2D;
}

/** Final LayerNorm and the output head (the token embedding when tied). */
function head(x: tf.Tensor2D, w: Weights, spec: ModelSpec): tf.Tensor2D {
  const h = norm(x, w, spec, gptNames.lnF);
  const out = param<tf.Tensor2D>(w, spec.tie_embeddings ? gptNames.wte : gptNames.lmHead);
  return linear(h, tf.transpose(out));
}

/** GPT-2's attn_dropout on the attention probabilities: a fresh seeded mask per layer and step. */
function attnDropout(rate: number, seed: (() => number) | undefined): { rate: number; seed: number } | undefined {
  if (rate <= 0) return undefined;
  if (!seed) throw new Error('dropout needs a seed source when training');
  return { rate, seed: seed() };
}

function forward(w: Weights, spec: ModelSpec, idx: tf.Tensor2D, opts: ForwardOptions): ForwardResult {
  const [B, T] = idx.shape;
  if (T > spec.block_size) throw new Error(`sequence of ${T} tokens exceeds block_size ${spec.block_size}`);
  const rate = opts.training ? spec.dropout : 0;
  const seed = opts.dropoutSeed;
  const core: AttentionCore = (qkv) => causalSelfAttention(qkv, B, spec.n_head, attnDropout(rate, seed));
  const embedded = embed(w, spec, idx, 0);
  let x = dropout(embedded, rate, seed);
  const hidden: tf.Tensor3D[] = [];
  const moe: MoeLayer[] = [];
  for (let i = 0; i < spec.n_layer; i++) {
    x = block(x, w, spec, i, core, rate, seed, moe);
    hidden.push(tf.reshape(x, [B, T, spec.d_model]));
  }
  const logits = tf.reshape(head(x, w, spec), [B, T, spec.vocab_size]) as tf.Tensor3D;
  return { logits, hidden, embedded: tf.reshape(embedded, [B, T, spec.d_model]), ...moeResult(moe) };
}

interface GptCache extends KvCache {
  k: tf.Tensor4D[];
  v: tf.Tensor4D[];
}

/** Splits [T, 3d] into q, k, v as [1, H, T, hd]. */
function splitHeads(qkv: tf.Tensor2D, spec: ModelSpec, T: number): tf.Tensor4D[] {
  const H = spec.n_head;
  const hd = spec.d_model / H;
  return tf.split(qkv, 3, 1).map((t) => tf.transpose(tf.reshape(t, [1, T, H, hd]), [0, 2, 1, 3]) as tf.Tensor4D);
}

function decode(w: Weights, spec: ModelSpec, idx: tf.Tensor2D, cache: KvCache | null): DecodeResult {
  const old = cache as GptCache | null;
  const start = old?.length ?? 0;
  const [B, T] = idx.shape;
  if (B !== 1) throw new Error('decode takes one sequence');
  if (start + T > spec.block_size) throw new Error(`KV cache would exceed block_size ${spec.block_size}`);
  const hd = spec.d_model / spec.n_head;
  const out = tf.tidy(() => {
    const ks: tf.Tensor4D[] = [];
    const vs: tf.Tensor4D[] = [];
    // Query i (absolute position start+i) sees keys 0..start+i.
    const mask = tf.linalg.bandPart(tf.ones([T, start + T]), -1, start);
    const negInf = tf.mul(tf.sub(1, mask), -1e9);
    let x = embed(w, spec, idx, start);
    for (let i = 0; i < spec.n_layer; i++) {
      const cached: AttentionCore = (qkv) => {
        const [q, k, v] = splitHeads(qkv, spec, T);
        const K = old ? tf.concat([old.k[i]!, k!], 2) : k!;
        const V = old ? tf.concat([old.v[i]!, v!], 2) : v!;
        ks.push(K);
        vs.push(V);
        const scores = tf.add(tf.mul(tf.matMul(q!, K, false, true), 1 / Math.sqrt(hd)), negInf);
        return tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), V), [0, 2, 1, 3]), [T, spec.d_model]);
      };
      x = block(x, w, spec, i, cached, 0, undefined, []);
    }
    const last = tf.slice(x, [T - 1, 0], [1, spec.d_model]);
    return { logits: tf.reshape(head(last, w, spec), [-1]) as tf.Tensor1D, ks, vs };
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

export const gpt: Family = { layout: gptLayout, forward, decode };
