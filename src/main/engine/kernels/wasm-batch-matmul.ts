// Batched plain 2-D products a[i]·b[i] on wasm as one kernel: each matrix goes to XNNPACK's fast 2-D path through
// tensor ids registered over slices of the inputs, so there is no unstack/stack copy and no per-matrix engine overhead.
// (The stock BatchMatMul runs any batched or transposed product as a scalar loop at ~3 GFLOP/s.)
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { tf } from '../tf.ts';
import { sizeOf, wasmOf } from './heap.ts';
import type { KernelArgs } from './heap.ts';

export const BATCH_MATMUL_2D = 'LoupeBatchMatMul2D';

type CBatchMatMul = (
  aId: number,
  aShape: Uint8Array,
  aRank: number,
  bId: number,
  bShape: Uint8Array,
  bRank: number,
  transposeA: number,
  transposeB: number,
  outId: number,
) => void;

interface WasmInternals {
  wasm: {
    cwrap(name: string, ret: null, args: string[]): CBatchMatMul;
    tfjs: { registerTensor(id: number, size: number, offset: number): void; disposeData(id: number): void };
  };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  dataIdNextNumber: number;
}

let cBatchMatMul: CBatchMatMul | null = null;

export function setupBatchMatMul2D(backend: unknown): void {
  const be = backend as unknown as WasmInternals;
  cBatchMatMul = be.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
}

/** Byte offset of a tensor's data on the wasm heap. */
export function heapOffset(backend: BackendWasm, t: tf.TensorInfo): number {
  return (backend as unknown as WasmInternals).dataIdMap.get(t.dataId).memoryOffset;
}

const shapeBytes = new Map<string, Uint8Array>();
function shape3(a: number, b: number): Uint8Array {
  const key = `${a},${b}`;
  let s = shapeBytes.get(key);
  if (s == null) {
    s = new Uint8Array(new Int32Array([1, a, b]).buffer);
    shapeBytes.set(key, s);
  }
  return s;
}

/**
 * out[m, p] = a[m, k]·b[k, p] with XNNPACK for float32 matrices at byte offsets of the wasm heap (inside live tensors).
 * Each call registers temporary tensor ids over the memory, runs the product and unregisters them.
 */
export function xnnMatMul(backend: BackendWasm, aOff: number, bOff: number, oOff: number, m: number, k: number, p: number): void {
  const be = backend as unknown as WasmInternals;
  if (cBatchMatMul == null) setupBatchMatMul2D(backend);
  const { tfjs } = be.wasm;
  // Fresh ids every time: the C side caches XNNPACK operators (with packed weights) by the id of b.
  const ia = be.dataIdNextNumber++;
  const ib = be.dataIdNextNumber++;
  const io = be.dataIdNextNumber++;
  tfjs.registerTensor(ia, m * k, aOff);
  tfjs.registerTensor(ib, k * p, bOff);
  tfjs.registerTensor(io, m * p, oOff);
  cBatchMatMul!(ia, shape3(m, k), 3, ib, shape3(k, p), 3, 0, 0, io);
  // Only unregisters (and drops the cached operator); the memory belongs to the tensors the offsets point into.
  tfjs.disposeData(ia);
  tfjs.disposeData(ib);
  tfjs.disposeData(io);
}

/** a [n, m, k] · b [n, k, p] → [n, m, p], all float32, no transposes (materialise them first). */
export function batchMatMul2D(args: KernelArgs): tf.TensorInfo {
  const backend: BackendWasm = wasmOf(args);
  const be = backend as unknown as WasmInternals;
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const [n, m, k] = a.shape as [number, number, number];
  const [nb, kb, p] = b.shape as [number, number, number];
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length !== 3 || b.shape.length !== 3 || n !== nb || k !== kb) {
    throw new Error(`${BATCH_MATMUL_2D}: expected float32 [n,m,k]·[n,k,p], got [${a.shape}]·[${b.shape}]`);
  }
  // Registered after the backend initialised (someone else picked wasm first): set up on first use.
  if (cBatchMatMul == null) setupBatchMatMul2D(backend);
  const out = backend.makeOutput([n, m, p], 'float32');
  if (sizeOf(out.shape) === 0) return out;
  if (k === 0) {
    (backend.typedArrayFromHeap(out) as Float32Array).fill(0);
    return out;
  }
  const aOff = be.dataIdMap.get(a.dataId).memoryOffset;
  const bOff = be.dataIdMap.get(b.dataId).memoryOffset;
  const oOff = be.dataIdMap.get(out.dataId).memoryOffset;
  for (let i = 0; i < n; i++) xnnMatMul(backend, aOff + 4 * i * m * k, bOff + 4 * i * k * p, oOff + 4 * i * m * p, m, k, p);
  return out;
}
