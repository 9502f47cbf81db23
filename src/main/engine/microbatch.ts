// Chooses the micro-batch (sequences per forward/backward) from an estimate of activation memory, so a step
// stays inside the backend's memory (wasm32 has a 4 GB heap and tfjs keeps every intermediate until backprop ends).
import type { ModelSpec } from './model/types.ts';
import { mlpHidden } from '../../shared/config.ts';

/** Rough bytes of live tensors per sequence during forward+backward of a GPT-style model. */
export function activationBytesPerSequence(spec: ModelSpec): number {
  const T = spec.block_size;
  const d = spec.d_model;
  // Per layer: ~70 [T, d]-sized intermediates (LayerNorms, qkv, the 4× MLP and GELU's pieces) and ~6 [H, T, T]
  // attention maps; logits and the loss take ~6 [T, V]. ×1.5 for gradients alive during backprop.
  // A wider or narrower MLP scales its share (~24 of the 70, as 4·d-wide tensors) by mlp_hidden / 4d.
  const mlpScale = mlpHidden(spec) / (4 * d);
  const perLayer = (46 + 24 * mlpScale) * T * d + 6 * spec.n_head * T * T;
  const floats = spec.n_layer * perLayer + 6 * T * spec.vocab_size;
  return 4 * floats * 1.5;
}

/** Activation budget per backend: wasm is capped by its 4 GB heap; others are given 4 GB to be safe. */
export function activationBudget(backend: string): number {
  return backend === 'wasm' ? 1.5 * 1024 ** 3 : 4 * 1024 ** 3;
}

export interface MicroBatching {
  microBatch: number;
  accumulation: number;
}

/** Largest divisor of batchSize that fits the budget (so every micro-batch is equal), or the configured size. */
export function chooseMicroBatch(spec: ModelSpec, batchSize: number, requested: 'auto' | number, backend: string): MicroBatching {
  if (requested !== 'auto') {
    const micro = Math.min(requested, batchSize);
    return { microBatch: micro, accumulation: Math.ceil(batchSize / micro) };
  }
  const perSeq = activationBytesPerSequence(spec);
  const budget = activationBudget(backend);
  let micro = 1;
  for (let m = batchSize; m >= 1; m--) {
    if (batchSize % m === 0 && m * perSeq <= budget) {
      micro = m;
      break;
    }
  }
  return { microBatch: micro, accumulation: batchSize / micro };
}
