// Hugging Face model folders: the config.json and weight file of the class a family exports to, both from the
// family's layout. Tensors the model lacks (biases when model.bias is false) are written as zeros so the file loads there.
import type { ModelSpec } from '../model/types.ts';
import { layoutOf } from '../../../shared/models/registry.ts';
import { sizeOf } from '../../../shared/models/layout.ts';
import type { NamedTensor } from './safetensors.ts';

export function hfConfig(spec: ModelSpec): Record<string, unknown> {
  return layoutOf(spec.family).hfConfig(spec);
}

/** The model's parameters in the exported class's layout, zero-filling those the model does not have. */
export function hfTensors(spec: ModelSpec, params: Map<string, Float32Array>): NamedTensor[] {
  const layout = layoutOf(spec.family);
  const own = new Set(layout.params(spec).map((p) => p.name));
  return layout.exportParams(spec).map(({ name, shape }) => {
    const data = params.get(name);
    if (data) return { name, shape: [...shape], data };
    if (!own.has(name)) return { name, shape: [...shape], data: new Float32Array(sizeOf(shape)) };
    throw new Error(`missing parameter ${name}`);
  });
}

/** The model's own parameters out of an exported weight file (dropping the zero-filled ones it does not have). */
export function paramsFromHf(spec: ModelSpec, tensors: ReadonlyMap<string, { data: Float32Array }>): Map<string, Float32Array> {
  const params = new Map<string, Float32Array>();
  for (const p of layoutOf(spec.family).params(spec)) {
    const t = tensors.get(p.name);
    if (t) params.set(p.name, t.data);
  }
  return params;
}
