// Mamba's selective scan for wasm as one JavaScript pass each way: the recurrence is cheap arithmetic (a few flops
// per channel, state and position) that tfjs would otherwise spend hundreds of small kernel calls or large
// [chunk, chunk] tables on. The backward pass is the reverse-time recurrence of the state's gradient.
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

/** Runs the recurrence, writing y [batch, T, I] and, when given, every state h_t [batch, T, I, N]. */
function scan(s: ScanArrays, [batch, T, I, N]: [number, number, number, number], y: Float32Array, states: Float32Array | null): void {
  const h = new Float32Array(I * N);
  for (let b = 0; b < batch; b++) {
    h.fill(0);
    for (let t = 0; t < T; t++) {
      const row = b * T + t;
      for (let i = 0; i < I; i++) {
        const dt = s.delta[row * I + i]!;
        const x = dt * s.u[row * I + i]!;
        let acc = 0;
        for (let n = 0; n < N; n++) {
          const k = i * N + n;
          const v = Math.exp(dt * s.A[k]!) * h[k]! + x * s.B[row * N + n]!;
          h[k] = v;
          acc += v * s.C[row * N + n]!;
        }
        y[row * I + i] = acc;
      }
      if (states) states.set(h, row * I * N);
    }
  }
}

export function selectiveScanKernel(args: KernelArgs): tf.TensorInfo {
  const backend = wasmOf(args);
  const out = backend.makeOutput([...(args.inputs as { u: tf.TensorInfo }).u.shape], 'float32');
  // Views taken after makeOutput, which may grow (and so detach) the heap.
  const { s, dims } = arrays(args);
  scan(s, dims, heap(backend, out) as Float32Array, null);
  return out;
}

/** dy, u, Δ, A, B, C → du, dΔ, dA, dB, dC. */
export function selectiveScanGradKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = wasmOf(args);
  const { u, A, B } = args.inputs as { u: tf.TensorInfo; A: tf.TensorInfo; B: tf.TensorInfo };
  const outs = [u.shape, u.shape, A.shape, B.shape, B.shape].map((shape) => backend.makeOutput([...shape], 'float32'));
  const { s, dims } = arrays(args);
  const [batch, T, I, N] = dims;
  const dy = heap(backend, (args.inputs as { dy: tf.TensorInfo }).dy) as Float32Array;
  const [du, dDelta, dA, dB, dC] = outs.map((o) => heap(backend, o) as Float32Array) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  // The forward states, recomputed rather than kept from the forward pass (it is cheap next to holding them).
  const states = new Float32Array(batch * T * I * N);
  scan(s, [batch, T, I, N], new Float32Array(batch * T * I), states);
  const accA = new Float64Array(I * N);
  // g = ∂L/∂h_t, carried backwards: on entering step t it holds exp(Δ_{t+1}A)·∂L/∂h_{t+1}.
  const g = new Float32Array(I * N);
  dB.fill(0);
  dC.fill(0);
  for (let b = 0; b < batch; b++) {
    g.fill(0);
    for (let t = T - 1; t >= 0; t--) {
      const row = b * T + t;
      const hOff = row * I * N;
      for (let i = 0; i < I; i++) {
        const dt = s.delta[row * I + i]!;
        const ui = s.u[row * I + i]!;
        const x = dt * ui;
        const gy = dy[row * I + i]!;
        let dx = 0;
        let dDt = 0;
        for (let n = 0; n < N; n++) {
          const k = i * N + n;
          const a = Math.exp(dt * s.A[k]!);
          const gh = g[k]! + gy * s.C[row * N + n]!;
          const hPrev = t > 0 ? states[hOff - I * N + k]! : 0;
          dC[row * N + n]! += gy * states[hOff + k]!;
          dB[row * N + n]! += gh * x;
          dx += gh * s.B[row * N + n]!;
          // ∂/∂(Δ·A) of exp(Δ·A)·h_{t−1}
          const dLogDecay = gh * hPrev * a;
          dDt += dLogDecay * s.A[k]!;
          accA[k]! += dLogDecay * dt;
          g[k] = a * gh;
        }
        du[row * I + i] = dx * dt;
        dDelta[row * I + i] = dDt + dx * ui;
      }
    }
  }
  dA.set(accA);
  return outs;
}

function scanGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] {
  const [u, delta, A, B, C] = saved as tf.Tensor[];
  return tf.engine().runKernel(SELECTIVE_SCAN_GRAD, { dy: dy as tf.Tensor, u: u!, delta: delta!, A: A!, B: B!, C: C! }, {}) as tf.Tensor[];
}

const fusedScan = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [u, delta, A, B, C] = args as tf.Tensor[];
  const save = args[5] as tf.GradSaveFunc;
  save([u!, delta!, A!, B!, C!]);
  return { value: tf.engine().runKernel(SELECTIVE_SCAN, { u: u!, delta: delta!, A: A!, B: B!, C: C! }, {}) as tf.Tensor, gradFunc: scanGrad };
});

/** The selective scan from a zero state as one kernel each way (see ../model/selective-scan.ts for the maths). */
export function selectiveScanWasm(u: tf.Tensor3D, delta: tf.Tensor3D, A: tf.Tensor2D, B: tf.Tensor3D, C: tf.Tensor3D): tf.Tensor3D {
  return fusedScan(u, delta, A, B, C) as tf.Tensor3D;
}
