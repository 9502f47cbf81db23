// Mamba-1's selective scan, h_t = exp(Δ_t·A) ⊙ h_{t−1} + Δ_t·B_t·u_t and y_t = C_t·h_t, over u, Δ [batch, T, d_inner],
// A [d_inner, N] (negative), B, C [batch, T, N]. The sequential form is the definition (and decode's single step);
// training uses the chunked form, whose work is a few large batched ops plus a loop over chunks, not over tokens.
// On wasm a fused JavaScript kernel with its own gradient replaces it (kernels/wasm-scan.ts).
import { tf } from '../tf.ts';
import { defineKernel } from '../kernels/select.ts';
import { selectiveScanWasm } from '../kernels/wasm-scan.ts';

/**
 * Positions per chunk. The chunked scan materialises a [chunk, chunk] decay table per channel and state, so its work
 * and memory grow with the chunk while the carry loop shrinks. On the CPU backends the tables dominate: 4 was the
 * fastest of 4–64 at T 64 and T 256 on wasm and cpu (bench/mamba.bench.ts --scan-only); a GPU backend would want more.
 */
export const SCAN_CHUNK = 4;

export interface ScanResult {
  /** [batch, T, d_inner] */
  y: tf.Tensor3D;
  /** The state after the last position, [batch, d_inner, N]. */
  h: tf.Tensor3D;
}

/** The recurrence one position at a time (the ground truth the chunked scan is tested against). */
export function sequentialScan(u: tf.Tensor3D, delta: tf.Tensor3D, A: tf.Tensor2D, Bm: tf.Tensor3D, Cm: tf.Tensor3D, h0: tf.Tensor3D | null): ScanResult {
  const [batch, T, I] = u.shape;
  const N = A.shape[1];
  let h: tf.Tensor3D = h0 ?? tf.zeros([batch, I, N]);
  const ys: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    const at = (x: tf.Tensor3D, width: number): tf.Tensor2D => tf.reshape(tf.slice(x, [0, t, 0], [batch, 1, width]), [batch, width]);
    const dt = tf.expandDims(at(delta, I), 2);
    const decay = tf.exp(tf.mul(dt, A));
    const input = tf.mul(tf.mul(dt, tf.expandDims(at(u, I), 2)), tf.expandDims(at(Bm, N), 1));
    h = tf.add(tf.mul(decay, h), input);
    ys.push(tf.sum(tf.mul(h, tf.expandDims(at(Cm, N), 1)), 2));
  }
  return { y: tf.stack(ys, 1) as tf.Tensor3D, h };
}

const causalMasks = new Map<number, Float32Array>();

/** [L, L, 1]: 0 where s ≤ t, −1e30 where s > t, added to the segment sums so exp gives exactly 0 there. */
function segmentMask(L: number): tf.Tensor3D {
  let m = causalMasks.get(L);
  if (m == null) {
    m = new Float32Array(L * L);
    for (let t = 0; t < L; t++) for (let s = t + 1; s < L; s++) m[t * L + s] = -1e30;
    causalMasks.set(L, m);
  }
  return tf.tensor3d(m, [L, L, 1]);
}

/**
 * The scan in chunks of L positions. Within a chunk, with S_t = Σ_{τ≤t} Δ_τ·A (the cumulative log-decay, ≤ 0 and
 * falling), h_t = exp(S_t)·h_start + Σ_{s≤t} exp(S_t − S_s)·Δ_s·B_s·u_s: every exponent is a difference of cumsums
 * that is ≤ 0 (or masked), so nothing overflows however long the chunk. Chunks are computed all at once; only the
 * state carried from each chunk's end to the next one's start is a loop, over T/L chunks.
 */
export function chunkedScan(u: tf.Tensor3D, delta: tf.Tensor3D, A: tf.Tensor2D, Bm: tf.Tensor3D, Cm: tf.Tensor3D, h0: tf.Tensor3D | null, chunk = SCAN_CHUNK): ScanResult {
  const [batch, T, I] = u.shape;
  // A decoding step (T 1) is one chunk of one position: no padding.
  const L = Math.min(chunk, T);
  const N = A.shape[1];
  const chunks = Math.ceil(T / L);
  const G = batch * chunks;
  // Padding has Δ = 0: decay 1 and no input, so the state passes through unchanged and the final state is h_T.
  const pad = (x: tf.Tensor3D): tf.Tensor3D => (chunks * L === T ? x : tf.pad(x, [[0, 0], [0, chunks * L - T], [0, 0]]));
  // Cumulative step per channel; S = cumsum(Δ)·A because A is fixed along time. (The cumsum runs on the last axis:
  // tfjs's Cumsum gradient is wrong on the others.)
  const cdt = tf.transpose(tf.cumsum(tf.transpose(tf.reshape(pad(delta), [G, L, I]), [0, 2, 1]), 2), [0, 2, 1]); // [G, L, I]
  // Channels and states flattened to one axis (IN = I·N), so the pairwise tables stay rank 4.
  const S = tf.reshape(tf.mul(tf.expandDims(cdt, 3), A), [G, L, I * N]);
  const input = tf.reshape(tf.mul(tf.reshape(pad(tf.mul(delta, u)), [G, L, I, 1]), tf.reshape(pad(Bm), [G, L, 1, N])), [G, L, I * N]);
  const pairs = tf.expandDims(tf.sub(tf.expandDims(cdt, 2), tf.expandDims(cdt, 1)), 4); // [G, t, s, I, 1]: Σ Δ over (s, t]
  const seg = tf.add(tf.reshape(tf.mul(pairs, A), [G, L, L, I * N]), segmentMask(L)); // S_t − S_s
  const inner = tf.sum(tf.mul(tf.exp(seg), tf.expandDims(input, 1)), 2); // [G, L, IN]: each chunk from a zero state
  // Carry: the state entering chunk c+1 is chunk c's decayed entering state plus its own contribution at its end.
  const last = (x: tf.Tensor3D): tf.Tensor2D[] => tf.unstack(tf.reshape(tf.slice(x, [0, L - 1, 0], [G, 1, I * N]), [batch, chunks, I * N]), 1) as tf.Tensor2D[];
  const endDecay = last(tf.exp(S) as tf.Tensor3D);
  const endInner = last(inner as tf.Tensor3D);
  let h: tf.Tensor2D = h0 ? tf.reshape(h0, [batch, I * N]) : tf.zeros([batch, I * N]);
  const starts: tf.Tensor2D[] = [];
  for (let c = 0; c < chunks; c++) {
    starts.push(h);
    h = tf.add(tf.mul(endDecay[c]!, h), endInner[c]!);
  }
  const start = tf.reshape(tf.stack(starts, 1), [G, 1, I * N]);
  const states = tf.reshape(tf.add(tf.mul(tf.exp(S), start), inner), [G, L, I, N]);
  const y = tf.sum(tf.mul(states, tf.reshape(pad(Cm), [G, L, 1, N])), 3);
  const yT = tf.reshape(y, [batch, chunks * L, I]);
  return { y: (chunks * L === T ? yT : tf.slice(yT, [0, 0, 0], [batch, T, I])) as tf.Tensor3D, h: tf.reshape(h, [batch, I, N]) };
}

/** The training scan from a zero state: chunked in TF.js ops (any backend), or a fused kernel where one is registered. */
export const selectiveScanOp = defineKernel(
  'selective-scan',
  (u: tf.Tensor3D, delta: tf.Tensor3D, A: tf.Tensor2D, Bm: tf.Tensor3D, Cm: tf.Tensor3D): tf.Tensor3D => chunkedScan(u, delta, A, Bm, Cm, null).y,
  { wasm: selectiveScanWasm },
);

export function selectiveScan(u: tf.Tensor3D, delta: tf.Tensor3D, A: tf.Tensor2D, Bm: tf.Tensor3D, Cm: tf.Tensor3D): tf.Tensor3D {
  return selectiveScanOp.run(u, delta, A, Bm, Cm);
}
