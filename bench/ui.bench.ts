// UI benchmark entry for `npm run bench` (tsx): runs the Chromium chart bench of scripts/bench-ui.mjs.
await import('../scripts/bench-ui.mjs');
