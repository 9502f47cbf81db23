import { registerTfjsResolveHook } from '../src/main/tfjs-resolve-hook.ts';
registerTfjsResolveHook();
const { initBackend } = await import('../src/main/engine/backend.ts');
const { tf } = await import('../src/main/engine/tf.ts');
await initBackend('wasm');
type W = { wasm: { cwrap: (n: string, r: null, a: string[]) => (...x: unknown[]) => void; tfjs: { registerTensor: (id: number, size: number, off: number) => void; disposeData: (id: number) => void }; _malloc: (n: number) => number; HEAPF32: Float32Array }; dataIdMap: { get: (d: object) => { id: number; memoryOffset: number } } };
const be = tf.backend() as unknown as W;
const bmm = be.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
const [M, K, N] = (process.argv[2] ?? '64,32,64').split(',').map(Number) as [number, number, number];
const BH = 48;
const A = tf.randomNormal([BH, M, K]), B = tf.randomNormal([BH, K, N]);
const aOff = be.dataIdMap.get(A.dataId).memoryOffset, bOff = be.dataIdMap.get(B.dataId).memoryOffset;
const outOff = be.wasm._malloc(BH * M * N * 4) >>> 0;
let nextId = 1e6;
const sa = new Uint8Array(new Int32Array([1, M, K]).buffer), sb = new Uint8Array(new Int32Array([1, K, N]).buffer);
function run() {
  for (let h = 0; h < BH; h++) {
    const ia = nextId++, ib = nextId++, io = nextId++;
    be.wasm.tfjs.registerTensor(ia, M * K, aOff + h * M * K * 4);
    be.wasm.tfjs.registerTensor(ib, K * N, bOff + h * K * N * 4);
    be.wasm.tfjs.registerTensor(io, M * N, outOff + h * M * N * 4);
    bmm(ia, sa, 3, ib, sb, 3, 0, 0, io);
    be.wasm.tfjs.disposeData(ia); be.wasm.tfjs.disposeData(ib); be.wasm.tfjs.disposeData(io);
  }
}
for (let i = 0; i < 5; i++) run();
let t0 = performance.now(); for (let i = 0; i < 50; i++) run();
console.log(`raw 48x [${M},${K}]x[${K},${N}]`, ((performance.now() - t0) / 50 * 1000).toFixed(0), 'us');
// correctness vs tf
const ref = tf.matMul(A, B).dataSync();
const got = be.wasm.HEAPF32.subarray(outOff / 4, outOff / 4 + BH * M * N);
let err = 0; for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(ref[i]! - got[i]!));
console.log('max err', err);
const as = tf.unstack(A), bs = tf.unstack(B);
const f = () => tf.tidy(() => { for (let h = 0; h < BH; h++) tf.matMul(as[h] as tf.Tensor2D, bs[h] as tf.Tensor2D); });
for (let i = 0; i < 5; i++) f();
t0 = performance.now(); for (let i = 0; i < 50; i++) f();
console.log(`tf 48x`, ((performance.now() - t0) / 50 * 1000).toFixed(0), 'us');
