// Mamba-1 (Gu & Dao 2023) as mamba-minimal and HF MambaForCausalLM write it: token embedding, pre-RMSNorm residual
// blocks whose mixer is in_proj → causal depthwise conv → SiLU → selective scan (Δ, B, C from the input) with skip
// D → gate SiLU(z) → out_proj, final RMSNorm, optionally tied head. No positions, no attention, no MLP. Decoding
// carries each block's last d_conv−1 inputs and its scan state, so a token costs the same at any position.
// The layout is src/shared/models/mamba.ts; the scan is ../selective-scan.ts.
import { tf } from '../../tf.ts';
import { linear } from '../../ops.ts';
import { rmsNorm, swiglu } from '../../llama-ops.ts';
import { mambaDims, mambaLayout, mambaNames, type MambaBlockNames } from '../../../../shared/models/mamba.ts';
import { dropout } from '../layers.ts';
import { chunkedScan, selectiveScan } from '../selective-scan.ts';
import type { DecodeResult, Family, ForwardOptions, ForwardResult, KvCache, ModelSpec, Weights } from '../types.ts';

function param<T extends tf.Tensor>(w: Weights, name: string): T {
  const v = w.get(name);
  if (!v) throw new Error(`missing parameter ${name}`);
  return v as T;
}

/** What decoding keeps per Mamba block: the last d_conv−1 conv inputs [1, d_conv−1, d_inner] and the scan state [1, d_inner, N]. */
export type MambaLayerState = { conv: tf.Tensor3D; ssm: tf.Tensor3D };

/** Causal depthwise conv over time, x [B, T, I] → [B, T, I]: out_t = bias + Σ_k w[:, k]·x_{t−K+1+k}, reading `past` (or zeros) before t = 0. */
function causalConv(x: tf.Tensor3D, weight: tf.Tensor3D, bias: tf.Tensor1D, past: tf.Tensor3D | null): { y: tf.Tensor3D; padded: tf.Tensor3D } {
  const [B, T, I] = x.shape;
  const K = weight.shape[2];
  const padded = past ? tf.concat([past, x], 1) : tf.pad(x, [[0, 0], [K - 1, 0], [0, 0]]);
  const taps = tf.unstack(tf.transpose(tf.reshape(weight, [I, K])));
  let y: tf.Tensor3D = tf.add(tf.mul(tf.slice(padded, [0, 0, 0], [B, T, I]), taps[0]!), bias);
  for (let k = 1; k < K; k++) y = tf.add(y, tf.mul(tf.slice(padded, [0, k, 0], [B, T, I]), taps[k]!));
  return { y, padded };
}

/**
 * The mixer on normalised input h [B·T, d] → [B·T, d]. Training (`state` undefined) scans from a zero state with
 * the training op; decoding (`state` null at the start) continues from and returns the block's state.
 */
function mixer(h: tf.Tensor2D, w: Weights, spec: ModelSpec, n: MambaBlockNames, batch: number, state?: MambaLayerState | null): { y: tf.Tensor2D; state?: MambaLayerState } {
  const { dInner: I, dState: N, dConv: K, dtRank: R } = mambaDims(spec);
  const T = h.shape[0] / batch;
  const [xIn, z] = tf.split(linear(h, param(w, n.inProj)), 2, 1) as [tf.Tensor2D, tf.Tensor2D];
  const x3 = tf.reshape(xIn, [batch, T, I]) as tf.Tensor3D;
  const conv = causalConv(x3, param<tf.Tensor3D>(w, n.convWeight), param<tf.Tensor1D>(w, n.convBias), state?.conv ?? null);
  const u = tf.reshape(tf.mul(conv.y, tf.sigmoid(conv.y)), [batch * T, I]) as tf.Tensor2D;
  const [dtIn, Bm, Cm] = tf.split(linear(u, param(w, n.xProj)), [R, N, N], 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  const delta = tf.softplus(linear(dtIn, param(w, n.dtWeight), param<tf.Tensor1D>(w, n.dtBias)));
  const A = tf.neg(tf.exp(param<tf.Tensor2D>(w, n.aLog)));
  const as3 = (t: tf.Tensor, width: number): tf.Tensor3D => tf.reshape(t, [batch, T, width]);
  const scanArgs = [as3(u, I), as3(delta, I), A, as3(Bm, N), as3(Cm, N)] as const;
  let y: tf.Tensor3D;
  let next: MambaLayerState | undefined;
  if (state === undefined) y = selectiveScan(...scanArgs);
  else {
    const r = chunkedScan(...scanArgs, state?.ssm ?? null);
    y = r.y;
    next = { conv: tf.slice(conv.padded, [0, T, 0], [batch, K - 1, I]), ssm: r.h };
  }
  const skip = tf.add(tf.reshape(y, [batch * T, I]), tf.mul(u, param(w, n.d))) as tf.Tensor2D;
  return { y: linear(swiglu(z, skip), param(w, n.outProj)), state: next };
}

/** One pre-RMSNorm residual Mamba block (the hybrid family's Mamba layers too). */
export function mambaBlock(x: tf.Tensor2D, w: Weights, spec: ModelSpec, n: MambaBlockNames, batch: number, rate: number, seed: (() => number) | undefined, state?: MambaLayerState | null): { x: tf.Tensor2D; state?: MambaLayerState } {
  const m = mixer(rmsNorm(x, param(w, n.norm), spec.norm_eps), w, spec, n, batch, state);
  return { x: tf.add(x, dropout(m.y, rate, seed)) as tf.Tensor2D, state: m.state };
}

function head(x: tf.Tensor2D, w: Weights, spec: ModelSpec): tf.Tensor2D {
  const h = rmsNorm(x, param(w, mambaNames.normF), spec.norm_eps);
  if (spec.tie_embeddings) return linear(h, tf.transpose(param<tf.Tensor2D>(w, mambaNames.embed)));
  return linear(h, param(w, mambaNames.lmHead));
}

const embed = (w: Weights, idx: tf.Tensor2D): tf.Tensor2D => tf.gather(param<tf.Tensor2D>(w, mambaNames.embed), tf.reshape(idx, [-1])) as tf.Tensor2D;

function forward(w: Weights, spec: ModelSpec, idx: tf.Tensor2D, opts: ForwardOptions): ForwardResult {
  const [B, T] = idx.shape;
  if (T > spec.block_size) throw new Error(`sequence of ${T} tokens exceeds block_size ${spec.block_size}`);
  const rate = opts.training ? spec.dropout : 0;
  const embedded = embed(w, idx);
  let x = dropout(embedded, rate, opts.dropoutSeed);
  const hidden: tf.Tensor3D[] = [];
  for (let i = 0; i < spec.n_layer; i++) {
    x = mambaBlock(x, w, spec, mambaNames.block(i), B, rate, opts.dropoutSeed).x;
    hidden.push(tf.reshape(x, [B, T, spec.d_model]));
  }
  return { logits: tf.reshape(head(x, w, spec), [B, T, spec.vocab_size]), hidden, embedded: tf.reshape(embedded, [B, T, spec.d_model]) };
}

/** Per-block states (the KvCache contract's opaque cache): constant size whatever the length. */
export interface MambaCache extends KvCache {
  layers: MambaLayerState[];
}

/** A cache over per-layer states, disposing them with itself. */
export function stateCache<S extends object>(length: number, layers: S[], tensors: (s: S) => tf.Tensor[]): KvCache & { layers: S[] } {
  return {
    length,
    layers,
    dispose() {
      for (const s of this.layers) tf.dispose(tensors(s));
      this.layers = [];
    },
  };
}

function decode(w: Weights, spec: ModelSpec, idx: tf.Tensor2D, cache: KvCache | null): DecodeResult {
  const old = cache as MambaCache | null;
  const [B, T] = idx.shape;
  if (B !== 1) throw new Error('decode takes one sequence');
  const start = old?.length ?? 0;
  // Positions past block_size are well defined for a recurrence, but the model was trained on block_size: keep the contract.
  if (start + T > spec.block_size) throw new Error(`decoding would exceed block_size ${spec.block_size}`);
  const out = tf.tidy(() => {
    const layers: MambaLayerState[] = [];
    let x = embed(w, idx);
    for (let i = 0; i < spec.n_layer; i++) {
      const r = mambaBlock(x, w, spec, mambaNames.block(i), 1, 0, undefined, old?.layers[i] ?? null);
      x = r.x;
      layers.push(r.state!);
    }
    const last = tf.slice(x, [T - 1, 0], [1, spec.d_model]);
    return { logits: tf.reshape(head(last, w, spec), [-1]) as tf.Tensor1D, layers };
  });
  old?.dispose();
  return { logits: out.logits, cache: stateCache(start + T, out.layers, (s) => [s.conv, s.ssm]) };
}

export const mamba: Family = { layout: mambaLayout, forward, decode };
