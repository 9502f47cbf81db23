// Test helper: whether a WebGPU adapter can be had here. Where Debian's Chromium is installed its SwiftShader Vulkan
// driver is used when nothing else is configured, so CPU-only machines (and CI) run the WebGPU tests too.
import { existsSync } from 'node:fs';
import { initBackend } from '../backend.ts';

const CHROMIUM_SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export type WebGpuForTests = { ok: true; adapter: string } | { ok: false; why: string };

let found: Promise<WebGpuForTests> | null = null;

/** Initialises the webgpu backend once (leaving the active backend as it was: callers switch with initBackend). */
export function webgpuForTests(): Promise<WebGpuForTests> {
  found ??= (async (): Promise<WebGpuForTests> => {
    // The Vulkan loader reads this when Dawn creates its instance, so setting it here (before) is enough.
    if (process.env['VK_ICD_FILENAMES'] == null && existsSync(CHROMIUM_SWIFTSHADER_ICD)) process.env['VK_ICD_FILENAMES'] = CHROMIUM_SWIFTSHADER_ICD;
    try {
      const choice = await initBackend('webgpu');
      return { ok: true, adapter: choice.reason };
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      return {
        ok: false,
        why: `${why} (for SwiftShader on a CPU-only machine: apt-get install chromium libvulkan1, or set VK_ICD_FILENAMES to a Vulkan ICD)`,
      };
    }
  })();
  return found;
}
