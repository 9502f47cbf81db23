// Shared plumbing for JavaScript kernels on the wasm backend: they read and write tensors in place on the wasm heap.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { tf } from '../tf.ts';

export type HeapArray = Float32Array | Int32Array | Uint8Array;

export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

export type KernelFn = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

export function wasmOf(args: KernelArgs): BackendWasm {
  return args.backend as BackendWasm;
}

/** A view of the tensor's heap memory. Take a fresh one after any allocation: growing the heap detaches old views. */
export function heap(backend: BackendWasm, t: tf.TensorInfo): HeapArray {
  return backend.typedArrayFromHeap(t) as HeapArray;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A Float32Array over any 4-byte tensor (float32 or int32): for kernels that only move bits, one monomorphic type. */
export function heap32(backend: BackendWasm, t: tf.TensorInfo): Float32Array {
  const v = backend.typedArrayFromHeap(t) as HeapArray;
  return new Float32Array(v.buffer, v.byteOffset, v.length);
}
