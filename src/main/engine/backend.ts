// Backend selection: auto tries tensorflow (CUDA, then CPU), webgpu, wasm, cpu, and records why it skipped the better ones.
import type { BackendName } from '../../shared/config.ts';

export interface BackendChoice {
  /** The tf.getBackend() name actually in use: 'tensorflow' | 'webgpu' | 'wasm' | 'cpu'. */
  name: string;
  /** Human-readable: what it runs on, and why each better backend was skipped. */
  reason: string;
}

/** Placeholder until the engine lands: resolved by the engine-speed work. */
export declare function initBackend(requested: BackendName): Promise<BackendChoice>;
