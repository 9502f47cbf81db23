// GELU (tanh form) backward for wasm in one JavaScript pass: the chain rule through x·σ(2u) is nine elementwise
// kernels over the 4×-wide MLP activations otherwise.
import type { tf } from '../tf.ts';
import { heap, wasmOf } from './heap.ts';
import type { KernelArgs } from './heap.ts';

export const GELU_GRAD = 'LoupeGeluGrad';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/** dy, x, s = σ(2u(x)) → dy·(s + x·s(1−s)·2u'(x)), 2u' = 2√(2/π)(1 + 3·0.044715x²). */
export function geluGradKernel(args: KernelArgs): tf.TensorInfo {
  const backend = wasmOf(args);
  const { dy, x, s } = args.inputs as Record<'dy' | 'x' | 's', tf.TensorInfo>;
  const dx = backend.makeOutput(x.shape, 'float32');
  const dys = heap(backend, dy) as Float32Array;
  const xs = heap(backend, x) as Float32Array;
  const ss = heap(backend, s) as Float32Array;
  const out = heap(backend, dx) as Float32Array;
  const c1 = 2 * SQRT_2_OVER_PI;
  const c3 = 6 * SQRT_2_OVER_PI * GELU_A;
  for (let i = 0; i < xs.length; i++) {
    const xi = xs[i]!;
    const si = ss[i]!;
    out[i] = dys[i]! * (si + xi * si * (1 - si) * (c1 + c3 * xi * xi));
  }
  return dx;
}
