// Test helpers: a tiny resolved config and a text long enough to split, shared by the engine's tests.
import { RunConfig, type RunConfigInput } from '../../../shared/config.ts';

export function tinyConfig(overrides: RunConfigInput = {}): RunConfig {
  return RunConfig.parse({
    ...overrides,
    model: { n_layer: 2, n_head: 2, d_model: 16, block_size: 8, ...overrides.model },
    train: { steps: 10, batch_size: 4, warmup_steps: 2, ...overrides.train },
    eval: { every: 5, batches: 2, ...overrides.eval },
    checkpoint: { every: 5, ...overrides.checkpoint },
  });
}

/** Deterministic pseudo-text: ~`n` characters of words from a small vocabulary. */
export function tinyText(n = 4000): string {
  const words = ['the', 'whale', 'sea', 'ship', 'call', 'me', 'ishmael', 'white', 'captain', 'ahab'];
  let s = '';
  let i = 7;
  while (s.length < n) {
    i = (i * 1103515245 + 12345) % 2147483648;
    s += words[i % words.length] + (i % 7 === 0 ? '.\n' : ' ');
  }
  return s;
}
