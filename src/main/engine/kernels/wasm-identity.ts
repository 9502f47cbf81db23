// Identity and same-dtype Cast for wasm that share the input's memory (reference counted, as Reshape and the cpu
// backend do) instead of copying it: the engine clones every tensor a gradient saves, ~300 copies per training step.
import type { tf } from '../tf.ts';
import { wasmOf } from './heap.ts';
import type { KernelFn } from './heap.ts';

function share(args: Parameters<KernelFn>[0], x: tf.TensorInfo): tf.TensorInfo {
  wasmOf(args).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
}

export function makeIdentity(stock: KernelFn): KernelFn {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    return x.dtype === 'string' ? stock(args) : share(args, x);
  };
}

export function makeCast(stock: KernelFn): KernelFn {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { dtype } = args.attrs as { dtype: tf.DataType };
    return x.dtype === dtype && dtype !== 'string' ? share(args, x) : stock(args);
  };
}
