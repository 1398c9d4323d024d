import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['engine/**/*.test.ts', 'tracker/**/*.test.ts', 'test/**/*.test.ts', 'test/**/*.spec.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Server-backed suites share one Redis and one ClickHouse: files run in parallel, each in its own namespace.
    pool: 'forks',
  },
});
