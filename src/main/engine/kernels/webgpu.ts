// Registers our WebGPU kernels over the stock ones: what tfjs-backend-webgpu gets wrong for training (AddN binds every
// input at once, so a global gradient norm over dozens of tensors exceeds the device's storage-buffer limit).
import { tf } from '../tf.ts';
import type { KernelArgs, KernelFn } from './heap.ts';

/** The parts of tfjs-backend-webgpu's WebGPUBackend our kernels use (the package's typings are not imported: it is optional). */
export interface WebGpuBackendLike {
  device: { limits: { maxStorageBuffersPerShaderStage: number } };
  disposeData(dataId: object, force?: boolean): boolean;
}

let registered = false;

/** Whether a kernel of ours runs now: the backend is webgpu and the kernel is registered there. */
export function webgpuKernelActive(kernelName: string): boolean {
  return tf.getBackend() === 'webgpu' && tf.getKernel(kernelName, 'webgpu') != null;
}

/** AddN in rounds of as many inputs as one shader may bind (the output takes one binding). */
function makeAddN(stock: KernelFn): KernelFn {
  return (args: KernelArgs) => {
    const backend = args.backend as WebGpuBackendLike;
    const perShader = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
    let xs = Object.values(args.inputs) as tf.TensorInfo[];
    let owned = new Set<tf.TensorInfo>();
    while (xs.length > perShader) {
      const next: tf.TensorInfo[] = [];
      const made = new Set<tf.TensorInfo>();
      for (let i = 0; i < xs.length; i += perShader) {
        const chunk = xs.slice(i, i + perShader);
        if (chunk.length === 1) next.push(chunk[0]!);
        else {
          const sum = stock({ ...args, inputs: chunk as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo;
          next.push(sum);
          made.add(sum);
        }
      }
      // Intermediate sums of an earlier round are freed once summed again (a carried-over one stays owned).
      for (const t of owned) if (!next.includes(t)) backend.disposeData(t.dataId);
      owned = new Set([...made, ...[...owned].filter((t) => next.includes(t))]);
      xs = next;
    }
    const out = stock({ ...args, inputs: xs as unknown as tf.NamedTensorInfoMap }) as tf.TensorInfo;
    for (const t of owned) backend.disposeData(t.dataId);
    return out;
  };
}

function replace(kernelName: string, make: (stock: KernelFn) => KernelFn): void {
  const stock = tf.getKernel(kernelName, 'webgpu');
  if (stock == null) throw new Error(`webgpu backend has no ${kernelName} kernel to wrap`);
  tf.unregisterKernel(kernelName, 'webgpu');
  tf.registerKernel({ kernelName, backendName: 'webgpu', kernelFunc: make(stock.kernelFunc as KernelFn) as tf.KernelFunc, setupFunc: stock.setupFunc });
}

/** Registers (once) our webgpu kernels; call after importing @tensorflow/tfjs-backend-webgpu. */
export function registerWebgpuKernels(): void {
  if (registered) return;
  registered = true;
  replace('AddN', makeAddN);
}
