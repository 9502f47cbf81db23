// The mixture-of-experts MLP (DESIGN §3), written once for every family that offers it: router logits, softmax over
// all experts, the top_k kept with their probabilities as weights (not renormalised, as OLMoE with norm_topk_prob
// false), no capacity limit; the load-balancing and router z-losses, and each expert's share of the routed slots.
import { tf } from '../tf.ts';
import { linear } from '../ops.ts';
import { defineKernel } from '../kernels/select.ts';
import { MOE_BALANCE_WEIGHT, MOE_Z_WEIGHT } from '../../../shared/models/moe.ts';

/** A block's experts, as the family computes one (its MLP up to the down projection) and all of them side by side. */
export interface Experts {
  count: number;
  /** Expert e's hidden activations on rows x [m, d] → [m, hidden]. */
  hidden(e: number, x: tf.Tensor2D): tf.Tensor2D;
  /** Every expert's on x at once, [m, E·hidden] (expert e in columns e·hidden…): one wide product per weight kind. */
  hiddenAll(x: tf.Tensor2D): tf.Tensor2D;
  /** Down projections by expert, [hidden, d] each. */
  down: tf.Tensor2D[];
  /** Their biases by expert, [d] each (gpt with biases). */
  downBias?: tf.Tensor1D[];
}

/** One block's MoE output and what the objective and the eval record take from it. */
export interface MoeLayer {
  /** [n, d], before the residual add. */
  y: tf.Tensor2D;
  /** E·Σ_i f_i·P_i: f the fraction of routed slots expert i got, P its mean router probability; 1 when balanced. */
  balance: tf.Scalar;
  /** Mean over tokens of logsumexp(router logits)². */
  z: tf.Scalar;
  /** f: the fraction of routed slots (tokens × top_k) each expert got, [E]. */
  load: tf.Tensor1D;
}

type MaskFn = (logits: tf.Tensor) => tf.Tensor;
const masks = new Map<number, MaskFn>();

/**
 * 1 on each row's top_k logits (the top_k probabilities: softmax keeps the order), 0 elsewhere. The selection is
 * piecewise constant, so its gradient is zero: the router learns through the probabilities the mask keeps.
 */
function topKMask(logits: tf.Tensor2D, k: number): tf.Tensor2D {
  let fn = masks.get(k);
  if (!fn) {
    fn = tf.customGrad((x, save) => {
      void save;
      const l = x as tf.Tensor2D;
      // At or above each row's k-th largest logit (no index tensors: WebGPU's one-hot of top-k indices miscompiles).
      // Exact ties at the threshold would keep more than k; float router logits do not tie in practice.
      const kth = tf.slice(tf.topk(l, k).values, [0, k - 1], [-1, 1]);
      const value = tf.cast(tf.greaterEqual(l, kth), 'float32');
      return { value, gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [tf.zerosLike(dy as tf.Tensor)] };
    }) as MaskFn;
    masks.set(k, fn);
  }
  return fn(logits) as tf.Tensor2D;
}

/**
 * Every expert on every token, weighed by the gates (zero off the top_k): exact, two wide 2-D products and no host
 * reads, so it suits every backend (GPU backends cannot read synchronously), at E/top_k times the MLP's FLOPs.
 */
function denseMix(h: tf.Tensor2D, logits: tf.Tensor2D, topK: number, experts: Experts): tf.Tensor2D {
  const [n] = h.shape;
  const E = experts.count;
  const gates = tf.mul(tf.softmax(logits), topKMask(logits, topK)) as tf.Tensor2D;
  const a = experts.hiddenAll(h);
  const width = a.shape[1] / E;
  const weighted = tf.reshape(tf.mul(tf.reshape(a, [n, E, width]), tf.expandDims(gates, 2)), [n, E * width]) as tf.Tensor2D;
  const y = linear(weighted, tf.concat(experts.down, 0));
  return experts.downBias ? (tf.add(y, linear(gates, tf.stack(experts.downBias) as tf.Tensor2D)) as tf.Tensor2D) : y;
}

/**
 * Each expert on its own tokens only: the top-k indices are read to the host (cheap where memory is shared, as on
 * wasm), each expert's rows gathered, its output weighed by its gate and gathered back per slot. top_k/E of the dense
 * form's FLOPs; at 4 experts, top-2 and the baseline's shapes about 2.7× faster than denseMix on wasm
 * (bench/moe.bench.ts). An expert no token chose still gets its (zero) gradient, as PyTorch gives it.
 */
function gatheredMix(h: tf.Tensor2D, logits: tf.Tensor2D, topK: number, experts: Experts): tf.Tensor2D {
  const [n] = h.shape;
  const E = experts.count;
  const probs = tf.reshape(tf.softmax(logits), [-1]) as tf.Tensor1D;
  const picked = tf.topk(logits, topK).indices;
  const idx = picked.dataSync();
  picked.dispose();
  const rows: number[][] = Array.from({ length: E }, () => []);
  for (let t = 0; t < n; t++) for (let j = 0; j < topK; j++) rows[idx[t * topK + j]!]!.push(t);
  // where[t·k + j]: the row of token t's j-th expert output among all experts' outputs, in expert order.
  const where = new Int32Array(n * topK);
  const filled = new Int32Array(n);
  let offset = 0;
  const outs: tf.Tensor2D[] = [];
  let idle: tf.Scalar | null = null;
  for (let e = 0; e < E; e++) {
    const tokens = rows[e]!;
    const expertOut = (x: tf.Tensor2D): tf.Tensor2D => linear(experts.hidden(e, x), experts.down[e]!, experts.downBias?.[e]);
    if (tokens.length === 0) {
      const zero = tf.mul(0, tf.sum(expertOut(tf.slice(h, [0, 0], [1, -1])))) as tf.Scalar;
      idle = idle ? (tf.add(idle, zero) as tf.Scalar) : zero;
      continue;
    }
    const x = tf.gather(h, tf.tensor1d(tokens, 'int32')) as tf.Tensor2D;
    const g = tf.gather(probs, tf.tensor1d(tokens.map((t) => t * E + e), 'int32'));
    outs.push(tf.mul(expertOut(x), tf.expandDims(g, 1)) as tf.Tensor2D);
    tokens.forEach((t, i) => (where[t * topK + filled[t]!++] = offset + i));
    offset += tokens.length;
  }
  const all = outs.length === 1 ? outs[0]! : tf.concat(outs, 0);
  const slot = (j: number): tf.Tensor1D => tf.tensor1d(Int32Array.from({ length: n }, (_, t) => where[t * topK + j]!), 'int32');
  const picks = Array.from({ length: topK }, (_, j) => tf.gather(all, slot(j)) as tf.Tensor2D);
  const y = picks.length === 1 ? picks[0]! : (tf.addN(picks) as tf.Tensor2D);
  return idle ? (tf.add(y, idle) as tf.Tensor2D) : y;
}

/** Routes h [n, d] by the router logits [n, E] and mixes the experts' outputs → [n, d]. */
export const moeMixOp = defineKernel('moe-mix', denseMix, { wasm: gatheredMix });

/** The MoE MLP on h [n, d] (already normalised): route, mix the experts, and the routing statistics. */
export function moeMlp(h: tf.Tensor2D, router: tf.Tensor2D, topK: number, experts: Experts): MoeLayer {
  const E = experts.count;
  const logits = linear(h, router);
  const y = moeMixOp.run(h, logits, topK, experts);
  const probs = tf.softmax(logits) as tf.Tensor2D;
  const load = tf.div(tf.mean(topKMask(logits, topK), 0), topK) as tf.Tensor1D;
  const balance = tf.mul(E, tf.sum(tf.mul(load, tf.mean(probs, 0)))) as tf.Scalar;
  const lse = tf.logSumExp(logits, 1);
  const z = tf.mean(tf.mul(lse, lse)) as tf.Scalar;
  return { y, balance, z, load };
}

/** What a MoE forward pass adds to ForwardResult: the weighted auxiliary losses (means over blocks) and the load. */
export function moeResult(layers: readonly MoeLayer[]): { aux: Record<string, { value: tf.Scalar; weight: number }>; expertLoad: tf.Tensor2D } | Record<string, never> {
  if (layers.length === 0) return {};
  const mean = (xs: tf.Scalar[]): tf.Scalar => tf.div(tf.addN(xs), xs.length) as tf.Scalar;
  return {
    aux: {
      moe_balance: { value: mean(layers.map((l) => l.balance)), weight: MOE_BALANCE_WEIGHT },
      moe_z: { value: mean(layers.map((l) => l.z)), weight: MOE_Z_WEIGHT },
    },
    expertLoad: tf.stack(layers.map((l) => l.load)) as tf.Tensor2D,
  };
}
