// UnsortedSegmentSum for wasm, which the stock backend lacks: it is the gradient of gather (token embeddings).
import { tf } from '../tf.ts';
import { heap, sizeOf, wasmOf } from './heap.ts';
import type { KernelArgs } from './heap.ts';

/** out[segmentIds[i], ...] += x[i, ...]; ids outside [0, numSegments) are dropped, as in TensorFlow. */
export function unsortedSegmentSum(args: KernelArgs): tf.TensorInfo {
  const backend = wasmOf(args);
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = args.attrs as { numSegments: number };
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum (wasm) supports float32 and int32, got ${x.dtype}`);
  }
  const idsRank = segmentIds.shape.length;
  tf.util.assert(
    x.shape.slice(0, idsRank).every((d, i) => d === segmentIds.shape[i]),
    () => `UnsortedSegmentSum: segmentIds shape ${segmentIds.shape} is not a prefix of x shape ${x.shape}`,
  );
  const inner = sizeOf(x.shape.slice(idsRank));
  const out = backend.makeOutput([numSegments, ...x.shape.slice(idsRank)], x.dtype);
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
