// Sum over leading axes for wasm as one sequential pass: the stock kernel first transposes the reduced axes to the
// end (slowly), and every bias or LayerNorm gradient sums over the batch and time axes.
import { tf } from '../tf.ts';
import { heap, sizeOf, wasmOf } from './heap.ts';
import type { KernelFn } from './heap.ts';

export function makeSum(stock: KernelFn): KernelFn {
  return (args) => {
    const backend = wasmOf(args);
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    if (x.dtype !== 'float32' || x.shape.length < 2) return stock(args);
    const axes = tf.util.parseAxisParam(axis, x.shape).slice().sort((a, b) => a - b);
    const leading = axes.every((a, i) => a === i) && axes.length < x.shape.length;
    if (!leading) return stock(args);
    const rows = sizeOf(x.shape.slice(0, axes.length));
    const rest = x.shape.slice(axes.length);
    const cols = sizeOf(rest);
    const outShape = keepDims ? [...axes.map(() => 1), ...rest] : rest;
    const out = backend.makeOutput(outShape, x.dtype);
    const o = heap(backend, out);
    const src = heap(backend, x);
    // Accumulate in float64: as accurate as the stock kernel or better, in one sequential pass.
    const acc = new Float64Array(cols);
    const src32 = src as Float32Array;
    let r = 0;
    // Four rows per pass over the accumulator: a third of the loads and stores of a row-at-a-time loop.
    for (; r + 4 <= rows; r += 4) {
      const o0 = r * cols;
      const o1 = o0 + cols;
      const o2 = o1 + cols;
      const o3 = o2 + cols;
      for (let j = 0; j < cols; j++) acc[j]! += src32[o0 + j]! + src32[o1 + j]! + src32[o2 + j]! + src32[o3 + j]!;
    }
    for (; r < rows; r++) {
      const off = r * cols;
      for (let j = 0; j < cols; j++) acc[j]! += src32[off + j]!;
    }
    o.set(acc);
    return out;
  };
}
