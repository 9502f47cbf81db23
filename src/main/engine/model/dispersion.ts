// Dispersion losses against embedding condensation (DESIGN.md §6, Liu et al. 2026): push the hidden states of
// one sequence apart. Averaged over the batch and over block outputs (never the embedding output).
import { tf } from '../tf.ts';

export type DispersionVariant = 'angular_spread' | 'l2_repel' | 'decorrelation' | 'orthogonalization';

/** Loss for one block output h [B, T, d]. */
export function dispersionOfLayer(h: tf.Tensor3D, tau: number, variant: DispersionVariant): tf.Scalar {
  const [, T] = h.shape;
  if (T < 2) return tf.scalar(0);
  const z = tf.div(h, tf.add(tf.norm(h, 'euclidean', -1, true), 1e-4));
  const cos = tf.matMul(z, z, false, true); // [B, T, T]
  const offDiag = tf.sub(1, tf.eye(T)); // 1 where i ≠ j
  const pairs = T * (T - 1);
  const angle = (): tf.Tensor => tf.div(tf.acos(tf.clipByValue(cos, -(1 - 1e-4), 1 - 1e-4)), Math.PI);
  const lse = (neg: tf.Tensor): tf.Tensor => {
    // logsumexp over i ≠ j: the diagonal is pushed to -1e9 so it contributes nothing.
    const masked = tf.add(neg, tf.mul(tf.sub(1, offDiag), -1e9));
    return tf.sub(tf.logSumExp(tf.reshape(masked, [h.shape[0], T * T]), -1), Math.log(pairs));
  };
  switch (variant) {
    case 'angular_spread':
      return tf.mean(lse(tf.div(tf.neg(angle()), tau))) as tf.Scalar;
    case 'l2_repel': {
      // ‖ẑi − ẑj‖² = ‖ẑi‖² + ‖ẑj‖² − 2 ẑi·ẑj; the norms are kept (not taken as 1) because the 1e-4 guard makes ẑ
      // slightly shorter than unit, which shifts the loss by ~1e-4 on short vectors.
      const sq = tf.sum(tf.square(z), -1); // [B, T]
      const dist = tf.sub(tf.add(tf.expandDims(sq, 2), tf.expandDims(sq, 1)), tf.mul(2, cos));
      return tf.mean(lse(tf.div(tf.neg(dist), tau))) as tf.Scalar;
    }
    case 'decorrelation':
      return tf.div(tf.mean(tf.sum(tf.mul(tf.square(cos), offDiag), [1, 2])), pairs) as tf.Scalar;
    case 'orthogonalization': {
      const gap = tf.relu(tf.sub(0.5, angle()));
      return tf.div(tf.mean(tf.sum(tf.mul(tf.square(gap), offDiag), [1, 2])), pairs) as tf.Scalar;
    }
  }
}

/** Mean over block outputs. */
export function dispersionLoss(hidden: tf.Tensor3D[], tau: number, variant: DispersionVariant): tf.Scalar {
  if (hidden.length === 0) return tf.scalar(0);
  return tf.div(tf.addN(hidden.map((h) => dispersionOfLayer(h, tau, variant))), hidden.length) as tf.Scalar;
}
