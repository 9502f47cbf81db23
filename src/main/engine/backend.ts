// Backend selection: auto tries tensorflow (CUDA, then CPU), webgpu, wasm, cpu, and records why it skipped the better ones.
// The native and WebGPU packages are optional dependencies, so every backend package is imported dynamically.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { BackendName } from '../../shared/config.ts';
import { tf } from './tf.ts';
import { registerWasmKernels } from './kernels/wasm.ts';
import { selectKernels } from './kernels/select.ts';
import { oneLine } from '../../shared/one-line.ts';

export interface BackendChoice {
  /** The tf.getBackend() name actually in use: 'tensorflow' | 'webgpu' | 'wasm' | 'cpu'. */
  name: string;
  /** Human-readable: what it runs on, and why each better backend was skipped. */
  reason: string;
}

export type ConcreteBackend = Exclude<BackendName, 'auto'>;

export interface BackendProbe {
  name: ConcreteBackend;
  available: boolean;
  /** What it would run on, or the one-line reason it cannot be used here. */
  detail: string;
}

/** Thrown when a requested backend cannot be used; its message is one line meant for the user. */
export class BackendUnavailableError extends Error {
  constructor(name: ConcreteBackend, why: string) {
    super(`Backend "${name}" is not available here: ${why}`);
    this.name = 'BackendUnavailableError';
  }
}

/** Successful preparation: the backend is registered under tfName and initialised (not necessarily active). */
interface Prepared {
  tfName: string;
  detail: string;
}

// Optional packages are named through variables so that neither TypeScript nor bundlers insist they exist.
const TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu';
const TFJS_NODE = '@tensorflow/tfjs-node';
const TFJS_WEBGPU = '@tensorflow/tfjs-backend-webgpu';
const DAWN_WEBGPU = 'webgpu';

const require = createRequire(import.meta.url);

function isMissingModule(err: unknown, pkg: string): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  const msg = err instanceof Error ? err.message : '';
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && msg.includes(pkg);
}

async function importOptional(pkg: string): Promise<unknown> {
  try {
    return await import(pkg);
  } catch (err) {
    throw new Error(isMissingModule(err, pkg) ? `${pkg} is not installed` : `${pkg} failed to load (${oneLine(err, 200)})`, { cause: err });
  }
}

// tfjs-core's Engine can initialise a registered backend without making it the active one; the method is public in
// JavaScript but not in the typings, hence this narrow view (used by probes, so they never switch backends).
interface EngineInit {
  initializeBackend(name: string): { success: boolean | Promise<boolean>; asyncInit: boolean };
}

async function initialise(tfName: string): Promise<void> {
  if (tf.findBackendFactory(tfName) == null) throw new Error(`no "${tfName}" backend was registered`);
  const engine = tf.engine() as unknown as EngineInit;
  const { success } = engine.initializeBackend(tfName);
  if (!(await success)) throw new Error(`the "${tfName}" backend failed to initialise`);
}

async function prepareTensorflow(pkg: string, wantGpu: boolean): Promise<Prepared> {
  await importOptional(pkg);
  await initialise('tensorflow');
  if (wantGpu) {
    // tfjs-node-gpu silently falls back to the CPU build of libtensorflow when CUDA is missing.
    const gpus = (tf.engine().findBackend('tensorflow') as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice;
    if (gpus === false) throw new Error('libtensorflow found no CUDA device');
  }
  return { tfName: 'tensorflow', detail: wantGpu ? 'libtensorflow with CUDA' : 'libtensorflow on the CPU' };
}

interface WebGpuAdapterLike {
  info?: { vendor?: string; architecture?: string; description?: string };
}
interface WebGpuLike {
  requestAdapter(opts?: { powerPreference?: string }): Promise<WebGpuAdapterLike | null>;
}
interface DawnModule {
  create(options: string[]): WebGpuLike;
  globals: Record<string, unknown>;
}

let dawnGpu: WebGpuLike | undefined;

async function prepareWebgpu(): Promise<Prepared> {
  const nav = (globalThis as { navigator?: { gpu?: WebGpuLike } }).navigator;
  let gpu = nav?.gpu ?? dawnGpu;
  if (gpu == null) {
    const dawn = (await importOptional(DAWN_WEBGPU)) as DawnModule;
    gpu = dawn.create([]);
    dawnGpu = gpu;
    // tfjs-backend-webgpu reads navigator.gpu and the GPU* constants (GPUBufferUsage, ...) from the global scope.
    for (const [k, v] of Object.entries(dawn.globals)) {
      if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
    }
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter == null) throw new Error('no WebGPU adapter (Dawn found no usable GPU)');
  if (nav?.gpu == null) {
    const g = globalThis as unknown as { navigator?: Record<string, unknown> };
    if (g.navigator == null) {
      Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    } else {
      Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
    }
  }
  await importOptional(TFJS_WEBGPU);
  await initialise('webgpu');
  const info = adapter.info;
  const what = [info?.vendor, info?.architecture, info?.description].filter((s) => s != null && s !== '').join(' ');
  return { tfName: 'webgpu', detail: `WebGPU via Dawn${what ? ` on ${what}` : ''}` };
}

let wasmPathsSet = false;

async function prepareWasm(): Promise<Prepared> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (!wasmPathsSet && tf.findBackend('wasm') == null) {
    // Point the loader at the package's own .wasm files: bundlers and workers move the script that would locate them.
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    wasm.setWasmPaths(`${dist}/`);
    wasmPathsSet = true;
  }
  registerWasmKernels();
  await initialise('wasm');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return { tfName: 'wasm', detail: `WebAssembly${simd ? ' SIMD' : ''}, 1 thread (XNNPACK)` };
}

async function prepareCpu(): Promise<Prepared> {
  await import('@tensorflow/tfjs-backend-cpu');
  await initialise('cpu');
  return { tfName: 'cpu', detail: 'plain JavaScript' };
}

interface Candidate {
  name: ConcreteBackend;
  label: string;
  prepare: () => Promise<Prepared>;
}

const candidates: readonly Candidate[] = [
  { name: 'tensorflow', label: 'tensorflow (CUDA)', prepare: () => prepareTensorflow(TFJS_NODE_GPU, true) },
  { name: 'tensorflow', label: 'tensorflow (CPU)', prepare: () => prepareTensorflow(TFJS_NODE, false) },
  { name: 'webgpu', label: 'webgpu', prepare: prepareWebgpu },
  { name: 'wasm', label: 'wasm', prepare: prepareWasm },
  { name: 'cpu', label: 'cpu', prepare: prepareCpu },
];

async function activate(p: Prepared): Promise<void> {
  if (!(await tf.setBackend(p.tfName))) throw new Error(`the "${p.tfName}" backend failed to initialise`);
  await tf.ready();
  selectKernels(tf.getBackend());
}

/**
 * Makes the requested backend the active one. 'auto' takes the first that works in the order above and says why
 * each better one was skipped; an explicit name that cannot be used throws a BackendUnavailableError.
 */
export async function initBackend(requested: BackendName): Promise<BackendChoice> {
  if (requested !== 'auto') {
    const mine = candidates.filter((c) => c.name === requested);
    const why: string[] = [];
    for (const c of mine) {
      try {
        const p = await c.prepare();
        await activate(p);
        return { name: tf.getBackend(), reason: `${p.detail} (requested)` };
      } catch (err) {
        why.push(mine.length > 1 ? `${c.label}: ${oneLine(err, 200)}` : oneLine(err, 200));
      }
    }
    throw new BackendUnavailableError(requested, why.join('; '));
  }
  const skipped: string[] = [];
  for (const c of candidates) {
    try {
      const p = await c.prepare();
      await activate(p);
      const because = skipped.length > 0 ? `; skipped ${skipped.join('; ')}` : '';
      return { name: tf.getBackend(), reason: `auto: ${p.detail}${because}` };
    } catch (err) {
      skipped.push(`${c.label}: ${oneLine(err, 200)}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could be started: ${skipped.join('; ')}`);
}

/** Which backends could run here, without changing the active one (for the app's info screen). */
export async function probeBackends(): Promise<BackendProbe[]> {
  const out: BackendProbe[] = [];
  const seen = new Map<ConcreteBackend, BackendProbe>();
  for (const c of candidates) {
    let probe: BackendProbe;
    try {
      const p = await c.prepare();
      probe = { name: c.name, available: true, detail: p.detail };
    } catch (err) {
      probe = { name: c.name, available: false, detail: `${c.label}: ${oneLine(err, 200)}` };
    }
    const prev = seen.get(c.name);
    if (prev == null) {
      seen.set(c.name, probe);
      out.push(probe);
    } else if (!prev.available) {
      // tensorflow has two candidates (CUDA, CPU): report the first that works, else both reasons.
      prev.available = probe.available;
      prev.detail = probe.available ? probe.detail : `${prev.detail}; ${probe.detail}`;
    }
  }
  return out;
}
