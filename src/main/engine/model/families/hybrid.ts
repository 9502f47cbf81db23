// A Transformer–Mamba hybrid: LLaMA's embedding, final RMSNorm and head around a stack whose layers are Mamba blocks
// or LLaMA attention blocks (RMSNorm, RoPE, SwiGLU), in the order model.layers gives. Both blocks are the families'
// own code. The attention blocks take RoPE, so the stack needs no position table whatever its first layers are.
import { tf } from '../../tf.ts';
import { hybridLayout, hybridMambaNames } from '../../../../shared/models/hybrid.ts';
import { hybridBlocks } from '../../../../shared/models/hybrid-pattern.ts';
import { dropout } from '../layers.ts';
import { cachedCore, llamaBlock, llamaEmbed, llamaHead, trainingCore } from './llama.ts';
import { mambaBlock, stateCache, type MambaLayerState } from './mamba.ts';
import { moeResult, type MoeLayer } from '../moe.ts';
import type { DecodeResult, Family, ForwardOptions, ForwardResult, KvCache, ModelSpec, Weights } from '../types.ts';

function forward(w: Weights, spec: ModelSpec, idx: tf.Tensor2D, opts: ForwardOptions): ForwardResult {
  const [B, T] = idx.shape;
  if (T > spec.block_size) throw new Error(`sequence of ${T} tokens exceeds block_size ${spec.block_size}`);
  const rate = opts.training ? spec.dropout : 0;
  const seed = opts.dropoutSeed;
  const core = trainingCore(spec, B, rate, seed);
  const embedded = llamaEmbed(w, idx);
  let x = dropout(embedded, rate, seed);
  const hidden: tf.Tensor3D[] = [];
  const moe: MoeLayer[] = [];
  hybridBlocks(spec).forEach((kind, i) => {
    x = kind === 'M' ? mambaBlock(x, w, spec, hybridMambaNames(i), B, rate, seed).x : llamaBlock(x, w, spec, i, B, 0, core, rate, seed, moe);
    hidden.push(tf.reshape(x, [B, T, spec.d_model]));
  });
  const logits = tf.reshape(llamaHead(x, w, spec), [B, T, spec.vocab_size]) as tf.Tensor3D;
  return { logits, hidden, embedded: tf.reshape(embedded, [B, T, spec.d_model]), ...moeResult(moe) };
}

/** Per layer: a Mamba block's conv and scan state, or an attention block's keys and values. */
type LayerState = MambaLayerState | { k: tf.Tensor4D; v: tf.Tensor4D };

function decode(w: Weights, spec: ModelSpec, idx: tf.Tensor2D, cache: KvCache | null): DecodeResult {
  const old = cache as (KvCache & { layers: LayerState[] }) | null;
  const [B, T] = idx.shape;
  if (B !== 1) throw new Error('decode takes one sequence');
  const start = old?.length ?? 0;
  if (start + T > spec.block_size) throw new Error(`KV cache would exceed block_size ${spec.block_size}`);
  const out = tf.tidy(() => {
    const layers: LayerState[] = [];
    let x = llamaEmbed(w, idx);
    hybridBlocks(spec).forEach((kind, i) => {
      const past = old?.layers[i] ?? null;
      if (kind === 'M') {
        const r = mambaBlock(x, w, spec, hybridMambaNames(i), 1, 0, undefined, past as MambaLayerState | null);
        x = r.x;
        layers.push(r.state!);
      } else {
        const ks: tf.Tensor4D[] = [];
        const vs: tf.Tensor4D[] = [];
        x = llamaBlock(x, w, spec, i, 1, start, cachedCore(spec, T, start, past as { k: tf.Tensor4D; v: tf.Tensor4D } | null, ks, vs), 0, undefined, []);
        layers.push({ k: ks[0]!, v: vs[0]! });
      }
    });
    const last = tf.slice(x, [T - 1, 0], [1, spec.d_model]);
    return { logits: tf.reshape(llamaHead(last, w, spec), [-1]) as tf.Tensor1D, layers };
  });
  old?.dispose();
  return { logits: out.logits, cache: stateCache(start + T, out.layers, (s) => Object.values(s) as tf.Tensor[]) };
}

export const hybrid: Family = { layout: hybridLayout, forward, decode };
