// Unit tests: colocated *.test.ts under src/ and tools/; e2e lives in e2e/ and runs separately.
import { defineConfig } from 'vitest/config';

export const testTimeoutMs = 120_000;

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'tools/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: testTimeoutMs,
    hookTimeout: testTimeoutMs,
    pool: 'forks',
    maxWorkers: 2,
  },
});
