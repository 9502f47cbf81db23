// Registers our wasm kernels over the stock ones: what tfjs-backend-wasm lacks for GPT training (UnsortedSegmentSum)
// and the ones it does slowly (Unpack, Slice, SplitV, Transpose, Sum over leading axes, comparisons, max/min),
// plus a batched 2-D matmul.
import { tf } from '../tf.ts';
import type { KernelArgs, KernelFn } from './heap.ts';
import { ATTENTION, ATTENTION_GRAD, attentionGradKernel, attentionKernel } from './wasm-attention.ts';
import { BATCH_MATMUL_2D, batchMatMul2D, setupBatchMatMul2D } from './wasm-batch-matmul.ts';
import { compareOps, makeCompare } from './wasm-compare.ts';
import { makeSlice, makeSplitV, unpack } from './wasm-copy.ts';
import { GELU_GRAD, geluGradKernel } from './wasm-gelu.ts';
import { makeCast, makeIdentity } from './wasm-identity.ts';
import { LAYER_NORM, LAYER_NORM_GRAD, layerNormGradKernel, layerNormKernel } from './wasm-layernorm.ts';
import { SOFTMAX_XENT, SOFTMAX_XENT_GRAD, softmaxCrossEntropyGradKernel, softmaxCrossEntropyKernel } from './wasm-loss.ts';
import { ADAMW, SUM_SQUARES, adamWKernel, sumSquaresKernel } from './wasm-optim.ts';
import { SELECTIVE_SCAN, SELECTIVE_SCAN_GRAD, selectiveScanGradKernel, selectiveScanKernel } from './wasm-scan.ts';
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

/** Registers a kernel of our own (no stock one to replace). */
function own(kernelName: string, kernelFunc: (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]): void {
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc });
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
  replace('Identity', makeIdentity(stockOf('Identity')));
  replace('Cast', makeCast(stockOf('Cast')));
  for (const op of compareOps) replace(op, makeCompare(op, stockOf(op)));
  own(ATTENTION, attentionKernel);
  own(ATTENTION_GRAD, attentionGradKernel);
  own(LAYER_NORM, layerNormKernel);
  own(SOFTMAX_XENT, softmaxCrossEntropyKernel);
  own(SOFTMAX_XENT_GRAD, softmaxCrossEntropyGradKernel);
  own(GELU_GRAD, geluGradKernel);
  own(ADAMW, adamWKernel);
  own(SUM_SQUARES, sumSquaresKernel);
  own(LAYER_NORM_GRAD, layerNormGradKernel);
  own(SELECTIVE_SCAN, selectiveScanKernel);
  own(SELECTIVE_SCAN_GRAD, selectiveScanGradKernel);
  tf.registerKernel({ kernelName: BATCH_MATMUL_2D, backendName: 'wasm', kernelFunc: batchMatMul2D as tf.KernelFunc, setupFunc: setupBatchMatMul2D });
}
