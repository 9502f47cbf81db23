// Writes the seeded labelled synthetic set (synthetic.ts) as JSON lines, one curve per line, to look at or
// score elsewhere: `npx tsx src/main/monitor/testing/synthetic-dump.ts [seed] [curves per scenario] > set.jsonl`.
// The scoring test draws the same set in memory from the seed it names.
import { syntheticSet } from './synthetic.ts';

const seed = Number(process.argv[2] ?? 20261201);
const per = Number(process.argv[3] ?? 24);
if (!Number.isInteger(seed) || !Number.isInteger(per) || per < 1) {
  process.stderr.write('usage: synthetic-dump.ts [seed (integer)] [curves per scenario (≥ 1)]\n');
  process.exit(2);
}
for (const c of syntheticSet(seed, per)) {
  const points = c.points.map((p) => [p.step, p.key, Number.isFinite(p.value) ? p.value : String(p.value)]);
  process.stdout.write(`${JSON.stringify({ scenario: c.scenario, seed: c.seed, planned_steps: c.plannedSteps, expected: c.expected, points })}\n`);
}
