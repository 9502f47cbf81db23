// Kernels the tfjs wasm backend lacks or does slowly for GPT training: UnsortedSegmentSum (gather's gradient),
// and Unpack/Slice that read their input through a heap view instead of copying all of it for every output.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf } from '../tf.ts';

type HeapArray = Float32Array | Int32Array | Uint8Array;

function heap(backend: BackendWasm, t: tf.TensorInfo): HeapArray {
  // A fresh view every time: any malloc may grow the wasm memory and detach older views.
  return backend.typedArrayFromHeap(t) as HeapArray;
}

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** out[segmentIds[i], ...] += x[i, ...]; ids outside [0, numSegments) are dropped, as in TensorFlow. */
function unsortedSegmentSum(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = (args.attrs as { numSegments: number }).numSegments;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum (wasm) supports float32 and int32, got ${x.dtype}`);
  }
  const idsRank = segmentIds.shape.length;
  const inner = sizeOf(x.shape.slice(idsRank));
  const outShape = [numSegments, ...x.shape.slice(idsRank)];
  const out = backend.makeOutput(outShape, x.dtype);
  const o = heap(backend, out);
  const xs = heap(backend, x);
  const ids = heap(backend, segmentIds);
  o.fill(0);
  const n = ids.length;
  for (let i = 0; i < n; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) o[dst + j]! += xs[src + j]!;
  }
  return out;
}

/** unstack along `axis` in one pass over the input (the stock kernel slices, and each slice copies the whole input). */
function unpack(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const backend = args.backend as BackendWasm;
  const { value } = args.inputs as { value: tf.TensorInfo };
  const rank = value.shape.length;
  let axis = (args.attrs as { axis: number }).axis;
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
    if (outer === 1) {
      dst.set(src.subarray(k * inner, (k + 1) * inner));
    } else {
      for (let o = 0; o < outer; o++) {
        const from = (o * count + k) * inner;
        dst.set(src.subarray(from, from + inner), o * inner);
      }
    }
  }
  return outs;
}

type KernelFn = (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => tf.TensorInfo | tf.TensorInfo[];

/** Slice through a heap view; strings keep the stock kernel. */
function makeSlice(stock: KernelFn): KernelFn {
  return (args) => {
    const backend = args.backend as BackendWasm;
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return stock(args);
    const { begin, size } = args.attrs as { begin: number[]; size: number[] };
    const xt = { shape: x.shape } as tf.Tensor;
    const [b, s] = tf.slice_util.parseSliceParams(xt, begin, size);
    const out = backend.makeOutput(s, x.dtype);
    const total = sizeOf(s);
    if (total === 0) return out;
    const dst = heap(backend, out);
    const src = heap(backend, x);
    const strides = tf.util.computeStrides(x.shape);
    if (tf.slice_util.isSliceContinous(x.shape, b, s)) {
      const off = tf.slice_util.computeFlatOffset(b, strides);
      dst.set(src.subarray(off, off + total));
      return out;
    }
    // Copy contiguous runs of the last axis, walking the other axes like an odometer.
    const rank = s.length;
    const run = s[rank - 1]!;
    const idx = new Array<number>(rank - 1).fill(0);
    let outOff = 0;
    for (;;) {
      let inOff = b[rank - 1]!;
      for (let d = 0; d < rank - 1; d++) inOff += (b[d]! + idx[d]!) * strides[d]!;
      dst.set(src.subarray(inOff, inOff + run), outOff);
      outOff += run;
      let d = rank - 2;
      while (d >= 0) {
        idx[d]!++;
        if (idx[d]! < s[d]!) break;
        idx[d] = 0;
        d--;
      }
      if (d < 0) break;
    }
    return out;
  };
}

let registered = false;

function replace(kernelName: string, kernelFunc: KernelFn): void {
  const stock = tf.getKernel(kernelName, 'wasm');
  if (stock != null) tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc });
}

/** Registers (once) our wasm kernels; call after importing @tensorflow/tfjs-backend-wasm, before running ops. */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  replace('UnsortedSegmentSum', unsortedSegmentSum);
  replace('Unpack', unpack);
  const stockSlice = tf.getKernel('Slice', 'wasm');
  if (stockSlice != null) replace('Slice', makeSlice(stockSlice.kernelFunc as KernelFn));
}
