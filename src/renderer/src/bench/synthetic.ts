// Synthetic training curves for the UI benchmark: realistic shapes, noise and a few spikes, deterministic.
import type { Series } from '../../../shared/api/index.ts';
import { MetricKey } from '../../../shared/metrics.ts';

export function syntheticRun(n: number, seed = 1): Series[] {
  let s = seed >>> 0;
  const rand = (): number => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const steps: number[] = new Array(n);
  const loss: number[] = new Array(n);
  const grad: number[] = new Array(n);
  const lr: number[] = new Array(n);
  const tps: number[] = new Array(n);
  const warm = Math.max(1, Math.floor(n * 0.02));
  for (let i = 0; i < n; i++) {
    steps[i] = i + 1;
    const spike = rand() < 2e-5 ? 2 + rand() * 3 : 0;
    loss[i] = 1.4 + 4.2 * Math.exp(-i / (n / 8)) + 0.08 * (rand() - 0.5) + spike;
    grad[i] = 0.35 + 1.5 * Math.exp(-i / (n / 20)) + 0.1 * rand() + spike;
    lr[i] = i < warm ? (1e-3 * (i + 1)) / warm : 1e-4 + 0.5 * (1e-3 - 1e-4) * (1 + Math.cos((Math.PI * (i - warm)) / (n - warm)));
    tps[i] = 9000 + 600 * Math.sin(i / 500) + 400 * rand();
  }
  const val: Series = { key: MetricKey.valLoss, steps: [], values: [] };
  for (let i = 0; i < n; i += 1000) {
    val.steps.push(steps[i]);
    val.values.push(loss[i] + 0.05);
  }
  return [
    { key: MetricKey.trainLoss, steps, values: loss },
    { key: MetricKey.gradNorm, steps: steps.slice(), values: grad },
    { key: MetricKey.lr, steps: steps.slice(), values: lr },
    { key: MetricKey.tokensPerS, steps: steps.slice(), values: tps },
    val,
  ];
}
