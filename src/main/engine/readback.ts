// Device-to-host reads that never block: GPU backends (WebGPU under Node above all) cannot read synchronously,
// so whatever leaves the device outside a test goes through these, all reads of one call issued together.
import type { tf } from './tf.ts';

/** Copies of every tensor's values, read concurrently. */
export async function readAll(tensors: readonly tf.Tensor[]): Promise<Float32Array[]> {
  const values = await Promise.all(tensors.map((t) => t.data()));
  return values.map((v) => Float32Array.from(v as Float32Array));
}

/** readAll over a name → tensor map, keeping the names. */
export async function readNamed(tensors: ReadonlyMap<string, tf.Tensor>): Promise<Map<string, Float32Array>> {
  const names = [...tensors.keys()];
  const values = await readAll(names.map((n) => tensors.get(n)!));
  return new Map(names.map((n, i) => [n, values[i]!]));
}
