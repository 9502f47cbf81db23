// Hugging Face model folders: the config.json and weight file of the class a family exports to, both from the
// family's layout. Tensors the model lacks (biases when model.bias is false) are written as zeros so the file loads
// there; matrices the class stores as nn.Linear's [out, in] are transposed on the way out and back on the way in.
import type { ModelSpec } from '../model/types.ts';
import { layoutOf } from '../../../shared/models/registry.ts';
import { sizeOf, type ParamSpec } from '../../../shared/models/layout.ts';
import type { NamedTensor } from './safetensors.ts';

export function hfConfig(spec: ModelSpec): Record<string, unknown> {
  return layoutOf(spec.family).hfConfig(spec);
}

/** A row-major [rows, cols] matrix as [cols, rows]. */
export function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}

/** The shape a parameter has in the HF file. */
function hfShape(p: ParamSpec): number[] {
  return p.hfTransposed ? [p.shape[1]!, p.shape[0]!] : [...p.shape];
}

/** The model's parameters in the exported class's layout, zero-filling those the model does not have. */
export function hfTensors(spec: ModelSpec, params: Map<string, Float32Array>): NamedTensor[] {
  const layout = layoutOf(spec.family);
  const own = new Set(layout.params(spec).map((p) => p.name));
  return layout.exportParams(spec).map((p) => {
    const shape = hfShape(p);
    const data = params.get(p.name);
    if (data) return { name: p.name, shape, data: p.hfTransposed ? transpose2d(data, p.shape[0]!, p.shape[1]!) : data };
    if (!own.has(p.name)) return { name: p.name, shape, data: new Float32Array(sizeOf(shape)) };
    throw new Error(`missing parameter ${p.name}`);
  });
}

/** The model's own parameters out of an exported weight file (dropping the zero-filled ones it does not have). */
export function paramsFromHf(spec: ModelSpec, tensors: ReadonlyMap<string, { shape?: readonly number[]; data: Float32Array }>): Map<string, Float32Array> {
  const params = new Map<string, Float32Array>();
  for (const p of layoutOf(spec.family).params(spec)) {
    const t = tensors.get(p.name);
    if (!t) continue;
    const want = hfShape(p);
    if (t.shape && t.shape.join(',') !== want.join(',')) throw new Error(`${p.name}: shape [${t.shape.join(', ')}] where [${want.join(', ')}] was expected`);
    params.set(p.name, p.hfTransposed ? transpose2d(t.data, want[0]!, want[1]!) : t.data);
  }
  return params;
}
