// Slice, SplitV and Unpack for wasm through heap views: the stock ones copy the whole input for every output
// (readSync), which makes unstack O(n²) and split k times the input.
import { tf } from '../tf.ts';
import { heap, sizeOf, wasmOf } from './heap.ts';
import type { HeapArray, KernelArgs, KernelFn } from './heap.ts';

/** Copies the box begin..begin+size of src (shape `shape`) into dst, one contiguous run of the last axis at a time. */
function copyBox(src: HeapArray, shape: readonly number[], begin: readonly number[], size: readonly number[], dst: HeapArray): void {
  const total = sizeOf(size);
  if (total === 0) return;
  const strides = tf.util.computeStrides(shape as number[]);
  if (tf.slice_util.isSliceContinous(shape as number[], begin as number[], size as number[])) {
    const off = tf.slice_util.computeFlatOffset(begin as number[], strides);
    dst.set(src.subarray(off, off + total));
    return;
  }
  const rank = size.length;
  const run = size[rank - 1]!;
  const idx = new Array<number>(rank - 1).fill(0);
  let outOff = 0;
  for (;;) {
    let inOff = begin[rank - 1]!;
    for (let d = 0; d < rank - 1; d++) inOff += (begin[d]! + idx[d]!) * strides[d]!;
    if (run === 1) dst[outOff] = src[inOff]!;
    else dst.set(src.subarray(inOff, inOff + run), outOff);
    outOff += run;
    let d = rank - 2;
    for (; d >= 0; d--) {
      idx[d]!++;
      if (idx[d]! < size[d]!) break;
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

/** Slice through a heap view; strings keep the stock kernel. */
export function makeSlice(stock: KernelFn): KernelFn {
  return (args) => {
    const backend = wasmOf(args);
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return stock(args);
    const { begin, size } = args.attrs as { begin: number[]; size: number[] };
    const [b, s] = tf.slice_util.parseSliceParams({ shape: x.shape } as tf.Tensor, begin, size);
    const out = backend.makeOutput(s, x.dtype);
    copyBox(heap(backend, x), x.shape, b, s, heap(backend, out));
    return out;
  };
}

/** tf.split: one heap copy per piece. */
export function makeSplitV(stock: KernelFn): KernelFn {
  return (args) => {
    const backend = wasmOf(args);
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return stock(args);
    const { numOrSizeSplits, axis } = args.attrs as { numOrSizeSplits: number | number[]; axis: number };
    const ax = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize({ shape: x.shape } as tf.Tensor, numOrSizeSplits, ax);
    const outs = sizes.map((s) => {
      const shape = x.shape.slice();
      shape[ax] = s;
      return backend.makeOutput(shape, x.dtype);
    });
    const begin = new Array<number>(x.shape.length).fill(0);
    outs.forEach((o) => {
      copyBox(heap(backend, x), x.shape, begin, o.shape, heap(backend, o));
      begin[ax]! += o.shape[ax]!;
    });
    return outs;
  };
}

/** tf.unstack along `axis` in one pass over the input. */
export function unpack(args: KernelArgs): tf.TensorInfo[] {
  const backend = wasmOf(args);
  const { value } = args.inputs as { value: tf.TensorInfo };
  const rank = value.shape.length;
  let { axis } = args.attrs as { axis: number };
  if (axis < 0) axis += rank;
  const count = value.shape[axis]!;
  const outShape = value.shape.filter((_, i) => i !== axis);
  const outer = sizeOf(value.shape.slice(0, axis));
  const inner = sizeOf(value.shape.slice(axis + 1));
  const outs: tf.TensorInfo[] = [];
  for (let k = 0; k < count; k++) outs.push(backend.makeOutput(outShape, value.dtype));
  const src = heap(backend, value);
  for (let k = 0; k < count; k++) {
    const dst = heap(backend, outs[k]!);
    for (let o = 0; o < outer; o++) {
      const from = (o * count + k) * inner;
      dst.set(src.subarray(from, from + inner), o * inner);
    }
  }
  return outs;
}
