// One click trains the baseline with live charts, in browser mode (Chromium against the loopback host):
// the spec itself is in runs-spec.ts, shared with the desktop app's e2e. Screenshots land in e2e/artifacts/runs/.
import { test } from 'node:test';
import { startLoupe } from './harness.ts';
import { runBaselineSpec } from './runs-spec.ts';

const STEPS = 30;

test('Run baseline trains live, finishes in the table, and its history survives a reload', async () => {
  const s = await startLoupe({ name: 'runs', env: { LOUPE_BASELINE_STEPS: String(STEPS) } });
  try {
    await runBaselineSpec(
      { page: s.page, artifacts: s.artifacts, open: async (hash) => void (await s.page.goto(`${s.baseUrl}/${hash}`)), log: s.serverLog },
      STEPS,
    );
  } finally {
    await s.close();
  }
});
