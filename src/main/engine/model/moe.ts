// The mixture-of-experts MLP (DESIGN §3), written once for every family that offers it: router logits, softmax over
// all experts, the top_k kept with their probabilities as weights (not renormalised, as OLMoE with norm_topk_prob
// false), no capacity limit; the load-balancing and router z-losses, and each expert's share of the routed slots.
import { tf } from '../tf.ts';
import { linear } from '../ops.ts';
import { MOE_BALANCE_WEIGHT, MOE_Z_WEIGHT } from '../../../shared/models/moe.ts';

/**
 * A block's experts as one wide MLP. Every expert runs on every token and the gates (zero off the top_k) weigh
 * their outputs: exact, and at Loupe's sizes cheaper on wasm than gathering each expert's tokens, since it is two
 * large 2-D products (the fast path there) instead of a few small ones per expert plus the gathers and scatters.
 */
export interface Experts {
  /** h [n, d] → every expert's hidden activations side by side, [n, E·hidden] (expert e in columns e·hidden…). */
  hidden(h: tf.Tensor2D): tf.Tensor2D;
  /** The down projections stacked by rows, [E·hidden, d]. */
  down: tf.Tensor2D;
  /** Their biases by expert, [E, d] (gpt with biases). */
  downBias?: tf.Tensor2D;
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
      const experts = l.shape[1];
      const { indices } = tf.topk(l, k);
      const value = tf.cast(tf.sum(tf.oneHot(indices, experts), 1), 'float32');
      return { value, gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [tf.zerosLike(dy as tf.Tensor)] };
    }) as MaskFn;
    masks.set(k, fn);
  }
  return fn(logits) as tf.Tensor2D;
}

/** The MoE MLP on h [n, d] (already normalised): route, mix the experts, and the routing statistics. */
export function moeMlp(h: tf.Tensor2D, router: tf.Tensor2D, topK: number, experts: Experts): MoeLayer {
  const [n] = h.shape;
  const E = router.shape[1];
  const logits = linear(h, router);
  const probs = tf.softmax(logits) as tf.Tensor2D;
  const mask = topKMask(logits, topK);
  const gates = tf.mul(probs, mask) as tf.Tensor2D;
  const a = experts.hidden(h);
  const width = a.shape[1] / E;
  const weighted = tf.reshape(tf.mul(tf.reshape(a, [n, E, width]), tf.expandDims(gates, 2)), [n, E * width]) as tf.Tensor2D;
  let y = linear(weighted, experts.down);
  if (experts.downBias) y = tf.add(y, linear(gates, experts.downBias)) as tf.Tensor2D;
  const load = tf.div(tf.mean(mask, 0), topK) as tf.Tensor1D;
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
