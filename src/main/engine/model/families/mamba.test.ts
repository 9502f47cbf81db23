// Mamba's initialisation as DESIGN §3 and mamba_ssm give it: A_log = log(1..N) in every channel, D = 1, the Δ bias
// the inverse softplus of a step in [1e-3, 1e-1], dt_proj and conv weights inside their uniform bounds.
import { describe, expect, it } from 'vitest';
import { createModel } from '../registry.ts';
import { Rng } from '../../rng.ts';
import { ModelConfig } from '../../../../shared/config.ts';

describe('mamba initialisation', () => {
  it('draws A_log, D, the Δ bias and the uniform weights as mamba_ssm does', () => {
    const model = createModel({ ...ModelConfig.parse({ family: 'mamba', n_layer: 2, d_model: 32, d_state: 8 }), vocab_size: 40 }, new Rng(7));
    const get = (name: string): Float32Array => model.params.get(`backbone.layers.1.mixer.${name}`)!.dataSync() as Float32Array;
    const aLog = get('A_log');
    expect(aLog.length).toBe(64 * 8);
    for (let k = 0; k < aLog.length; k++) expect(aLog[k]).toBeCloseTo(Math.log((k % 8) + 1), 6);
    expect(Array.from(get('D')).every((v) => v === 1)).toBe(true);
    const steps = Array.from(get('dt_proj.bias')).map((b) => Math.log1p(Math.exp(b)));
    expect(Math.min(...steps)).toBeGreaterThanOrEqual(1e-3 * (1 - 1e-4));
    expect(Math.max(...steps)).toBeLessThanOrEqual(1e-1 * (1 + 1e-4));
    // Log-uniform: about half the steps fall below the geometric middle, 1e-2.
    expect(steps.filter((s) => s < 1e-2).length).toBeGreaterThan(16);
    expect(steps.filter((s) => s < 1e-2).length).toBeLessThan(48);
    const dtW = get('dt_proj.weight');
    expect(Math.max(...Array.from(dtW).map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(2));
    const conv = get('conv1d.weight');
    expect(Math.max(...Array.from(conv).map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(4));
    expect(Math.max(...Array.from(conv).map(Math.abs))).toBeGreaterThan(0.3);
    model.dispose();
  });
});
