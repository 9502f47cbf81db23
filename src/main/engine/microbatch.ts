// Chooses the micro-batch (sequences per forward/backward) from an estimate of activation memory, so a step
// stays inside the backend's memory (wasm32 has a 4 GB heap and tfjs keeps every intermediate until backprop ends).
import type { ModelSpec } from './model/types.ts';
import { activationBytesPerSequence } from '../../shared/models/registry.ts';

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
