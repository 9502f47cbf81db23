// Sampling throughput: tokens/s for 256 new tokens with the KV cache and with full recomputation per token, and
// their ratio (target ≥ 5×), for the baseline's width (4L/4H/d128, bytes) at a block that holds the whole sample
// and at the baseline's own block 64 (past it the cache gives way to recomputation, so the gain is smaller).
// Usage: npm run bench:sample [-- --backend wasm --tokens 256 --blocks 512,64 --repeats 2]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { initBackend } from '../src/main/engine/backend.ts';
import { RunConfig, type BackendName } from '../src/shared/config.ts';
import { createModel } from '../src/main/engine/model/registry.ts';
import { Rng } from '../src/main/engine/rng.ts';
import { ByteTokenizer } from '../src/main/engine/data/tokenizer.ts';
import { generate } from '../src/main/engine/sample.ts';

const baselineYaml = fileURLToPath(new URL('../resources/configs/baseline.yaml', import.meta.url));
const PROMPT = 'Call me Ishmael. Some years ago';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    tokens: { type: 'string', default: '256' },
    blocks: { type: 'string', default: '512,64' },
    repeats: { type: 'string', default: '2' },
  },
});
const tokens = Number(values.tokens);
const repeats = Math.max(1, Number(values.repeats));
const blocks = values.blocks.split(',').map(Number);

const choice = await initBackend(values.backend as BackendName);
const raw = parseYaml(readFileSync(baselineYaml, 'utf8')) as Record<string, Record<string, unknown>>;
const tokenizer = new ByteTokenizer();

/** Best of `repeats` runs: the least disturbed by other load on a shared machine. */
async function tokensPerS(model: ReturnType<typeof createModel>, useCache: boolean): Promise<{ tps: number; ids: number[] }> {
  let best = 0;
  let ids: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const out = await generate(model, tokenizer, PROMPT, { maxTokens: tokens, temperature: 0, useCache });
    const s = (performance.now() - t0) / 1000;
    best = Math.max(best, out.tokens.length / s);
    ids = out.tokens;
  }
  return { tps: best, ids };
}

console.log(`sampling ${tokens} new tokens after a ${tokenizer.encode(PROMPT).length}-token prompt, greedy, backend ${choice.name} (best of ${repeats})`);
const rows: { block: number; cached: number; full: number; ratio: number; same: boolean }[] = [];
for (const block of blocks) {
  const config = RunConfig.parse({ ...raw, model: { ...raw.model, block_size: block } });
  const model = createModel({ ...config.model, vocab_size: tokenizer.vocabSize }, new Rng(config.seed));
  await generate(model, tokenizer, PROMPT, { maxTokens: 8, temperature: 0 }); // warm-up: kernels, wasm pages
  const cached = await tokensPerS(model, true);
  const full = await tokensPerS(model, false);
  model.dispose();
  const row = { block, cached: cached.tps, full: full.tps, ratio: cached.tps / full.tps, same: cached.ids.join() === full.ids.join() };
  rows.push(row);
  console.log(
    `4L/4H/d128 block ${String(block).padStart(4)}: KV cache ${row.cached.toFixed(1).padStart(7)} tokens/s · full recompute ${row.full
      .toFixed(1)
      .padStart(7)} tokens/s · ×${row.ratio.toFixed(1)}${block >= tokens + 8 ? (row.ratio >= 5 ? ' (target ≥ 5×: met)' : ' (target ≥ 5×: NOT met)') : ' (sample outgrows the block)'}${row.same ? '' : ' · TOKENS DIFFER'}`,
  );
}
console.log(JSON.stringify({ bench: 'sample', backend: choice.name, newTokens: tokens, rows }));
