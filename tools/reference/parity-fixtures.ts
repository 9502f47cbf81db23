// What every PyTorch parity test shares: a model built from a fixture's Hugging Face weights file, and the error
// measure the tolerances are stated in (max absolute difference over the reference's largest magnitude).
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { tf } from '../../src/main/engine/tf.ts';
import { decodeSafetensors } from '../../src/main/engine/checkpoint/safetensors.ts';
import { paramsFromHf } from '../../src/main/engine/checkpoint/hf.ts';
import { createModel, type LanguageModel, type ModelSpec } from '../../src/main/engine/model/registry.ts';
import { Rng } from '../../src/main/engine/rng.ts';

export const fixturesDir = new URL('./fixtures/', import.meta.url);

/** A model holding a fixture's weights (HF layout on disk, so loading also tests the import transposes). */
export function modelFromHfFixture(spec: ModelSpec, weightsFile: string): LanguageModel {
  const model = createModel(spec, new Rng(0));
  const file = decodeSafetensors(readFileSync(new URL(weightsFile, fixturesDir)), 'fixture weights');
  const values = paramsFromHf(spec, file.tensors);
  expect([...values.keys()].sort()).toEqual([...model.params.keys()].sort());
  for (const [name, v] of model.params) v.assign(tf.tensor(values.get(name)!, v.shape, 'float32'));
  return model;
}

/** max |a − b| / max |b|: relative to the reference's scale, so near-zero entries do not dominate. */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  let err = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < b.length; i++) err = Math.max(err, Math.abs(a[i]! - b[i]!));
  return err / scale;
}
