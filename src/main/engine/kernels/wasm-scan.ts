// Mamba's selective scan for wasm as one JavaScript pass each way: the recurrence is cheap arithmetic (a few flops
// per channel, state and position) that tfjs would otherwise spend hundreds of small kernel calls or large
// [chunk, chunk] tables on. The forward pass keeps every state and decay; the backward pass is the reverse-time recurrence of
// the state's gradient over them.
import { tf } from '../tf.ts';
import { heap, wasmOf, type KernelArgs } from './heap.ts';

export const SELECTIVE_SCAN = 'LoupeSelectiveScan';
export const SELECTIVE_SCAN_GRAD = 'LoupeSelectiveScanGrad';

interface ScanArrays {
  u: Float32Array;
  delta: Float32Array;
  A: Float32Array;
  B: Float32Array;
  C: Float32Array;
}

function arrays(args: KernelArgs): { s: ScanArrays; dims: [number, number, number, number] } {
  const backend = wasmOf(args);
  const { u, delta, A, B, C } = args.inputs as Record<keyof ScanArrays, tf.TensorInfo>;
  const [batch, T, I] = u.shape as [number, number, number];
  const N = A.shape[1]!;
  const f = (t: tf.TensorInfo): Float32Array => heap(backend, t) as Float32Array;
  return { s: { u: f(u), delta: f(delta), A: f(A), B: f(B), C: f(C) }, dims: [batch, T, I, N] };
}

/** Runs the recurrence, writing y [batch, T, I], every state h_t and every decay exp(Δ_t·A) [batch, T, I, N] (the backward pass reads them). */
function scan(s: ScanArrays, [batch, T, I, N]: [number, number, number, number], y: Float32Array, states: Float32Array, decays: Float32Array): void {
  const { u, delta, A, B, C } = s;
  const IN = I * N;
  // The state before t = 0: a row of zeros; later rows read the previous row of `states`.
  const zeros = new Float32Array(IN);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < T; t++) {
      const row = b * T + t;
      const hOff = row * IN;
      const prev = t > 0 ? states.subarray(hOff - IN, hOff) : zeros;
      const bcOff = row * N;
      for (let i = 0; i < I; i++) {
        const dt = delta[row * I + i]!;
        const x = dt * u[row * I + i]!;
        let acc = 0;
        for (let n = 0, k = i * N; n < N; n++, k++) {
          const a = Math.exp(dt * A[k]!);
          const v = a * prev[k]! + x * B[bcOff + n]!;
          decays[hOff + k] = a;
          states[hOff + k] = v;
          acc += v * C[bcOff + n]!;
        }
        y[row * I + i] = acc;
      }
    }
  }
}

/** u, Δ, A, B, C → y, the states and the decays. */
export function selectiveScanKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = wasmOf(args);
  const { u, A } = args.inputs as { u: tf.TensorInfo; A: tf.TensorInfo };
  const y = backend.makeOutput([...u.shape], 'float32');
  const states = backend.makeOutput([...u.shape, A.shape[1]!], 'float32');
  const decays = backend.makeOutput([...u.shape, A.shape[1]!], 'float32');
  // Views taken after makeOutput, which may grow (and so detach) the heap.
  const { s, dims } = arrays(args);
  const f = (t: tf.TensorInfo): Float32Array => heap(backend, t) as Float32Array;
  scan(s, dims, f(y), f(states), f(decays));
  return [y, states, decays];
}

/** dy, u, Δ, A, B, C and the forward states and decays → du, dΔ, dA, dB, dC. */
export function selectiveScanGradKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = wasmOf(args);
  const { u, A, B } = args.inputs as { u: tf.TensorInfo; A: tf.TensorInfo; B: tf.TensorInfo };
  const outs = [u.shape, u.shape, A.shape, B.shape, B.shape].map((shape) => backend.makeOutput([...shape], 'float32'));
  const { s, dims } = arrays(args);
  const [batch, T, I, N] = dims;
  const IN = I * N;
  const dy = heap(backend, (args.inputs as { dy: tf.TensorInfo }).dy) as Float32Array;
  const { states: statesInfo, decays: decaysInfo } = args.inputs as { states: tf.TensorInfo; decays: tf.TensorInfo };
  const states = heap(backend, statesInfo) as Float32Array;
  const decays = heap(backend, decaysInfo) as Float32Array;
  const [du, dDelta, dA, dB, dC] = outs.map((o) => heap(backend, o) as Float32Array) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  const { u: us, delta, A: As, B: Bs, C: Cs } = s;
  const accA = new Float64Array(IN);
  // g = ∂L/∂h_t, carried backwards: on entering step t it holds exp(Δ_{t+1}A)·∂L/∂h_{t+1}.
  const g = new Float64Array(IN);
  const accB = new Float64Array(N);
  const accC = new Float64Array(N);
  const zeros = new Float32Array(IN);
  for (let b = 0; b < batch; b++) {
    g.fill(0);
    for (let t = T - 1; t >= 0; t--) {
      const row = b * T + t;
      const hOff = row * IN;
      const h = states.subarray(hOff, hOff + IN);
      const prev = t > 0 ? states.subarray(hOff - IN, hOff) : zeros;
      const bcOff = row * N;
      accB.fill(0);
      accC.fill(0);
      for (let i = 0; i < I; i++) {
        const dt = delta[row * I + i]!;
        const ui = us[row * I + i]!;
        const x = dt * ui;
        const gy = dy[row * I + i]!;
        let dx = 0;
        let dDt = 0;
        for (let n = 0, k = i * N; n < N; n++, k++) {
          const Ak = As[k]!;
          const a = decays[hOff + k]!;
          const gh = g[k]! + gy * Cs[bcOff + n]!;
          accC[n]! += gy * h[k]!;
          accB[n]! += gh * x;
          dx += gh * Bs[bcOff + n]!;
          // ∂/∂(Δ·A) of exp(Δ·A)·h_{t−1}
          const dLogDecay = gh * prev[k]! * a;
          dDt += dLogDecay * Ak;
          accA[k]! += dLogDecay * dt;
          g[k] = a * gh;
        }
        du[row * I + i] = dx * dt;
        dDelta[row * I + i] = dDt + dx * ui;
      }
      dB.set(accB, bcOff);
      dC.set(accC, bcOff);
    }
  }
  dA.set(accA);
  return outs;
}

function scanGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] {
  const [u, delta, A, B, C, states, decays] = saved as tf.Tensor[];
  const inputs = { dy: dy as tf.Tensor, u: u!, delta: delta!, A: A!, B: B!, C: C!, states: states!, decays: decays! };
  return tf.engine().runKernel(SELECTIVE_SCAN_GRAD, inputs, {}) as tf.Tensor[];
}

const fusedScan = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [u, delta, A, B, C] = args as tf.Tensor[];
  const save = args[5] as tf.GradSaveFunc;
  const [y, states, decays] = tf.engine().runKernel(SELECTIVE_SCAN, { u: u!, delta: delta!, A: A!, B: B!, C: C! }, {}) as tf.Tensor[];
  save([u!, delta!, A!, B!, C!, states!, decays!]);
  return { value: y!, gradFunc: scanGrad };
});

/** The selective scan from a zero state as one kernel each way (see ../model/selective-scan.ts for the maths). */
export function selectiveScanWasm(u: tf.Tensor3D, delta: tf.Tensor3D, A: tf.Tensor2D, B: tf.Tensor3D, C: tf.Tensor3D): tf.Tensor3D {
  return fusedScan(u, delta, A, B, C) as tf.Tensor3D;
}
