#!/usr/bin/env node
// `npm run bench`: runs every benchmark in turn and prints their figures. Speed targets live here, never in tests.
import { spawnSync } from 'node:child_process';

const benches = ['bench:store', 'bench:train', 'bench:families', 'bench:sample', 'bench:ui'];
const only = process.argv.slice(2);
let failed = 0;
for (const b of benches.filter((n) => only.length === 0 || only.some((o) => n.includes(o)))) {
  console.log(`\n=== npm run ${b} ===`);
  const r = spawnSync('npm', ['run', '--silent', b], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`(${b} exited with ${r.status})`);
  }
}
process.exit(failed ? 1 : 0);
