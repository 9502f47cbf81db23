// UI benchmark entry (tsx bench/ui.bench.ts): runs the Chromium chart bench, scripts/bench-ui.mjs (= npm run bench:ui).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const r = spawnSync(process.execPath, [fileURLToPath(new URL('../scripts/bench-ui.mjs', import.meta.url))], { stdio: 'inherit' });
process.exit(r.status ?? 1);
