// Backend selection on this kind of machine (no native TensorFlow, no GPU): auto lands on wasm and says why.
import { describe, it, expect } from 'vitest';
import { tf } from './tf.ts';
import { BackendUnavailableError, initBackend, isSoftwareAdapter, probeBackends } from './backend.ts';

const native = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

async function installed(pkg: string): Promise<boolean> {
  try {
    await import(pkg);
    return true;
  } catch {
    return false;
  }
}

describe('backend selection', () => {
  it('probes every backend without switching the active one', async () => {
    await initBackend('cpu');
    const probes = await probeBackends();
    expect(tf.getBackend()).toBe('cpu');
    expect(probes.map((p) => p.name)).toEqual(['tensorflow', 'webgpu', 'wasm', 'cpu']);
    expect(probes.find((p) => p.name === 'wasm')!.available).toBe(true);
    expect(probes.find((p) => p.name === 'cpu')!.available).toBe(true);
    for (const p of probes) expect(p.detail).not.toMatch(/\n/);
    // A later initBackend still works after probing.
    const choice = await initBackend('wasm');
    expect(choice.name).toBe('wasm');
    expect(tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0])).toBe(3);
  });

  it('auto picks the first that works and names why the better ones were skipped', async () => {
    const hasNative = (await Promise.all(native.map(installed))).some(Boolean);
    const choice = await initBackend('auto');
    expect(tf.getBackend()).toBe(choice.name);
    if (hasNative) {
      expect(choice.name).toBe('tensorflow');
      return;
    }
    const probes = await probeBackends();
    const webgpu = probes.find((p) => p.name === 'webgpu')!;
    const hardware = webgpu.available && !/software adapter/.test(webgpu.detail);
    expect(choice.name).toBe(hardware ? 'webgpu' : 'wasm');
    expect(choice.reason).toMatch(/tfjs-node-gpu is not installed/);
    expect(choice.reason).toMatch(/tfjs-node is not installed/);
    if (!hardware) expect(choice.reason).toMatch(/webgpu: /);
    // A software adapter (SwiftShader here) is skipped by auto, and the run's reason says so.
    if (webgpu.available && !hardware) {
      expect(webgpu.adapter).toMatch(/software adapter/);
      expect(choice.reason).toMatch(/webgpu: only a software adapter \(.+\), too slow to train on/);
    }
    expect(choice.reason).not.toMatch(/\n/);
  });

  it('asking for an unavailable backend is one clear error', async () => {
    const hasNative = (await Promise.all(native.map(installed))).some(Boolean);
    if (!hasNative) {
      const err = await initBackend('tensorflow').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BackendUnavailableError);
      expect((err as Error).message).toMatch(/^Backend "tensorflow" is not available here: .*tfjs-node.* is not installed/);
      expect((err as Error).message).not.toMatch(/\n/);
    }
    const webgpu = (await probeBackends()).find((p) => p.name === 'webgpu')!;
    if (!webgpu.available) {
      await expect(initBackend('webgpu')).rejects.toThrow(/^Backend "webgpu" is not available here: /);
    }
    // The previous backend is still usable after a failed request.
    await initBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('knows a software WebGPU adapter when it reports itself as a fallback or by its name', () => {
    expect(isSoftwareAdapter({ info: { vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0', isFallbackAdapter: true } })).toBe(true);
    expect(isSoftwareAdapter({ info: { vendor: 'google', architecture: 'swiftshader' } })).toBe(true);
    expect(isSoftwareAdapter({ info: { vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' } })).toBe(true);
    expect(isSoftwareAdapter({ info: { vendor: 'microsoft', description: 'Microsoft Basic Render Driver' } })).toBe(true);
    expect(isSoftwareAdapter({ isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter({ info: { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H200' } })).toBe(false);
    expect(isSoftwareAdapter({ info: { vendor: 'apple', architecture: 'metal-3', isFallbackAdapter: false } })).toBe(false);
  });

  it('switches between wasm and cpu on request', async () => {
    expect((await initBackend('cpu')).name).toBe('cpu');
    expect((await initBackend('wasm')).name).toBe('wasm');
    expect((await initBackend('wasm')).reason).toMatch(/WebAssembly/);
  });
});
