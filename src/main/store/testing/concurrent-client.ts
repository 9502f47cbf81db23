// A separate process on the store for the concurrency test: "write RUN N" commits N metric batches,
// "read RUN MS" polls the run's series for MS milliseconds. Prints one JSON line with what it did.
import { Store } from '../store.ts';

const [file, role, runId, arg] = process.argv.slice(2);
const store = Store.open(file);
let ops = 0;
let rows = 0;
let maxSeen = 0;
const errors: string[] = [];
if (role === 'write') {
  const batches = Number(arg);
  for (let seq = 0; seq < batches; seq++) {
    const points = [];
    for (let i = 0; i < 10; i++) {
      const step = seq * 10 + i + 1;
      for (const key of ['train/loss', 'train/lr', 'train/grad_norm', 'val/loss']) points.push({ step, key, value: Math.sin(step) + seq });
    }
    try {
      store.metrics.insert(runId, 1, seq, points);
      ops++;
      rows += points.length;
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
} else {
  const until = Date.now() + Number(arg);
  while (Date.now() < until) {
    try {
      const s = store.metrics.series(runId, ['train/loss', 'val/loss']);
      const n = s[0].steps.length;
      if (n < maxSeen) errors.push(`series shrank from ${maxSeen} to ${n}`);
      maxSeen = Math.max(maxSeen, n);
      store.runs.list();
      ops++;
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
}
store.close();
console.log(JSON.stringify({ role, ops, rows, maxSeen, errors }));
