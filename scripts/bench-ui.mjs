// npm run bench:ui — chart performance in Chromium: a run of 1,000,000 points per series (4 series),
// time to first render and the redraw after appending a batch of 100 points. Prints figures and writes bench/results/ui.json.
// Builds the renderer (with bench.html) into out/bench-ui, serves it on loopback and drives Debian's Chromium.
/* global window -- read inside page.evaluate callbacks, which run in the page */
import { createServer } from 'node:http';
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const outDir = join(repo, 'out', 'bench-ui');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const points = Number(process.env.BENCH_UI_POINTS ?? 1_000_000);
const batches = Number(process.env.BENCH_UI_BATCHES ?? 60);

if (!existsSync(chromiumPath)) {
  console.error(`Chromium not found at ${chromiumPath}: install it with "apt-get install -y chromium" or set CHROMIUM_PATH.`);
  process.exit(1);
}

const { build } = await import('vite');
const tBuild = performance.now();
await build({ configFile: join(repo, 'vite.renderer.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
console.log(`renderer built in ${((performance.now() - tBuild) / 1000).toFixed(1)} s`);

const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.woff2': 'font/woff2', '.ttf': 'font/ttf', '.json': 'application/json' };
const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
  try {
    const body = await readFile(join(outDir, path));
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;

const loadAtStart = (await readFile('/proc/loadavg', 'utf8').catch(() => '?')).split(' ').slice(0, 3).join(' ');
const { chromium } = await import('playwright-core');
const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  // CPU time of all Chromium processes at the page's phase marks: unlike wall time, it does not grow
  // when other work shares the machine.
  const rootPid = process.pid; // Chromium runs as our child; our own share is subtracted below
  const marks = new Map();
  const mainMarks = new Map();
  await page.exposeFunction('__mark', (name) => {
    marks.set(name, chromiumCpuMs(rootPid));
    mainMarks.set(name, rendererMainThreadMs(rootPid));
  });
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.goto(`http://127.0.0.1:${port}/bench.html?n=${points}&batches=${batches}&w=${process.env.BENCH_UI_WIDTH ?? 1400}`);
  await page.waitForFunction(() => window.__benchResult || window.__benchError, null, { timeout: 300_000, polling: 200 });
  const err = await page.evaluate(() => window.__benchError);
  if (err) throw new Error(`bench page failed: ${err}`);
  const r = await page.evaluate(() => window.__benchResult);
  const shotDir = join(repo, 'bench', 'results');
  await mkdir(shotDir, { recursive: true });
  await page.screenshot({ path: join(shotDir, 'ui-bench.png') });
  const f = (x) => x.toFixed(2);
  const cpuPer = (phase, n) => (marks.has(`${phase}:end`) && rootPid ? (marks.get(`${phase}:end`) - marks.get(`${phase}:start`)) / n : NaN);
  const mainPer = (phase, n) => (mainMarks.has(`${phase}:end`) ? (mainMarks.get(`${phase}:end`) - mainMarks.get(`${phase}:start`)) / n : NaN);
  // The page's main thread is where a redraw runs: its CPU time per batch is what the redraw costs on an idle machine.
  r.mainThreadCpuPerRedrawMs = { full: mainPer('full', r.redraw.full.n), zoomed: mainPer('zoomed', r.redraw.zoomed.n), liveFrame: mainPer('live', r.frames.n), idleFrame: mainPer('idle', batches) };
  r.cpuPerRedrawMs = { full: cpuPer('full', r.redraw.full.n), zoomed: cpuPer('zoomed', r.redraw.zoomed.n), liveFrame: cpuPer('live', r.frames.n), idleFrame: cpuPer('idle', batches) };
  console.log(`UI bench (Chromium ${browser.version()}, ${r.points.toLocaleString('en')} points × ${r.series} series)`);
  console.log(`  first render: ${f(r.firstRenderMs)} ms (target < 1500 ms)`);
  console.log(`  redraw after +${r.redraw.batch} points/series, full view: median ${f(r.redraw.full.median)} ms, min ${f(r.redraw.full.min)} ms, p95 ${f(r.redraw.full.p95)} ms, max ${f(r.redraw.full.max)} ms (target < 16 ms, n=${r.redraw.full.n})`);
  console.log(`  redraw after +${r.redraw.batch} points/series, zoomed to last 5%: median ${f(r.redraw.zoomed.median)} ms, min ${f(r.redraw.zoomed.min)} ms, p95 ${f(r.redraw.zoomed.p95)} ms`);
  console.log(`  Chromium CPU time per batch (all processes, incl. compositing; robust to machine load): full view ${f(r.cpuPerRedrawMs.full)} ms, zoomed ${f(r.cpuPerRedrawMs.zoomed)} ms, live frame ${f(r.cpuPerRedrawMs.liveFrame)} ms, idle frame ${f(r.cpuPerRedrawMs.idleFrame)} ms`);
  console.log(`  page main-thread CPU time per batch (the redraw's own cost, unaffected by other load): full view ${f(r.mainThreadCpuPerRedrawMs.full)} ms, zoomed ${f(r.mainThreadCpuPerRedrawMs.zoomed)} ms, live frame ${f(r.mainThreadCpuPerRedrawMs.liveFrame)} ms, idle frame ${f(r.mainThreadCpuPerRedrawMs.idleFrame)} ms`);
  console.log(`  machine load average at start: ${loadAtStart}, at end: ${(await readFile('/proc/loadavg', 'utf8').catch(() => '?')).split(' ').slice(0, 3).join(' ')}`);
  console.log(`  live path (batch per frame via React): median frame interval ${f(r.frames.median)} ms, p95 ${f(r.frames.p95)} ms`);
  console.log(`  full-view redraw split: LOD ${f(r.split.lodMs)} ms, ECharts update+paint ${f(r.split.echartsMs)} ms (mean)`);
  console.log(`  panels updated per batch at full view: ${r.panelUpdatesPerBatch.toFixed(2)} of 4 (the others' drawn points and axes were unchanged)`);
  console.log(`  train-loss points drawn at full view: ${r.plottedTrainPoints} (LOD of ${r.points.toLocaleString('en')})`);
  await writeFile(join(shotDir, 'ui.json'), JSON.stringify({ ...r, chromium: browser.version(), date: new Date().toISOString() }, null, 2));
  const load1 = Number(loadAtStart.split(' ')[0]);
  const cores = (await import('node:os')).availableParallelism();
  if (load1 > cores) {
    console.log(`  NOTE: load average ${load1} on ${cores} cores: wall times include waiting for the CPU; the min and the main-thread CPU time are the better guide`);
  }
  const ok = r.firstRenderMs < 1500 && r.redraw.full.median < 16;
  console.log(ok ? '  targets met' : '  TARGETS MISSED');
} finally {
  await browser.close();
  server.close();
}

/** CPU time (ms, from schedstat's nanoseconds) of the main thread of every Chromium renderer process under `pid`. */
function rendererMainThreadMs(pid) {
  let total = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer') || !isDescendant(Number(d), pid)) continue;
      total += Number(readFileSync(`/proc/${d}/task/${d}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
    } catch {
      // process ended meanwhile
    }
  }
  return total;
}

function isDescendant(p, root) {
  for (let i = 0; i < 64 && p > 1; i++) {
    if (p === root) return true;
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    p = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  return p === root;
}

/** utime + stime (ms) of `pid` and all its descendants, from /proc. */
function chromiumCpuMs(pid) {
  const tick = 10; // USER_HZ is 100 on Linux
  const children = new Map();
  const cpu = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(f[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
      cpu.set(Number(d), (Number(f[11]) + Number(f[12])) * tick);
    } catch {
      // process ended meanwhile
    }
  }
  let total = -(cpu.get(pid) ?? 0);
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    total += cpu.get(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}
