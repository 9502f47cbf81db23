// Registers our wasm kernels over the stock ones: what tfjs-backend-wasm lacks for GPT training (UnsortedSegmentSum)
// and the ones it does slowly (Unpack, Slice, SplitV, Transpose, Sum over leading axes, comparisons, max/min),
// plus a batched 2-D matmul.
import { tf } from '../tf.ts';
import type { KernelFn } from './heap.ts';
import { BATCH_MATMUL_2D, batchMatMul2D, setupBatchMatMul2D } from './wasm-batch-matmul.ts';
import { compareOps, makeCompare } from './wasm-compare.ts';
import { makeSlice, makeSplitV, unpack } from './wasm-copy.ts';
import { unsortedSegmentSum } from './wasm-segment-sum.ts';
import { makeSum } from './wasm-sum.ts';
import { makeTranspose } from './wasm-transpose.ts';

let registered = false;

function stockOf(kernelName: string): KernelFn {
  const k = tf.getKernel(kernelName, 'wasm');
  if (k == null) throw new Error(`wasm backend has no ${kernelName} kernel to wrap`);
  return k.kernelFunc as KernelFn;
}

function replace(kernelName: string, kernelFunc: KernelFn): void {
  const stock = tf.getKernel(kernelName, 'wasm');
  if (stock != null) tf.unregisterKernel(kernelName, 'wasm');
  // Keep the stock setup: some wasm kernels cwrap their C entry point there, and the fallbacks call them.
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc, setupFunc: stock?.setupFunc });
}

/** Registers (once) our wasm kernels; call after importing @tensorflow/tfjs-backend-wasm and before it initialises. */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  replace('UnsortedSegmentSum', unsortedSegmentSum);
  replace('Unpack', unpack);
  replace('Slice', makeSlice(stockOf('Slice')));
  replace('SplitV', makeSplitV(stockOf('SplitV')));
  replace('Transpose', makeTranspose(stockOf('Transpose')));
  replace('Sum', makeSum(stockOf('Sum')));
  for (const op of compareOps) replace(op, makeCompare(op, stockOf(op)));
  tf.registerKernel({ kernelName: BATCH_MATMUL_2D, backendName: 'wasm', kernelFunc: batchMatMul2D as tf.KernelFunc, setupFunc: setupBatchMatMul2D });
}
