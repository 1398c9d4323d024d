/*
 * The dependency rules lint:deps enforces keep the generic job queue (engine/queue) free of Redis,
 * and its Redis backend (engine/queue/redis) an adapter that only the composition root picks.
 */
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';

interface Rule {
  name: string;
  from: { path?: string | string[] };
  to: { path?: string | string[] };
}

const rules = (createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as { forbidden: Rule[] }).forbidden;

function matches(pattern: string | string[] | undefined, path: string): boolean {
  const patterns = pattern === undefined ? [] : Array.isArray(pattern) ? pattern : [pattern];
  return patterns.some((source) => new RegExp(source).test(path));
}

describe('the dependency rules', () => {
  test('forbid the generic job queue (engine/queue) the Redis client and its Redis backend', () => {
    const forbidding = rules.filter(
      (rule) => matches(rule.from.path, 'engine/queue/job-queue.ts') && matches(rule.to.path, 'node_modules/redis/dist/index.js') && matches(rule.to.path, 'engine/queue/redis/redis-job-queue.ts'),
    );
    expect(forbidding.map((rule) => rule.name)).not.toEqual([]);
  });

  test('leave the Redis job queue (engine/queue/redis) to the composition root and the adapters', () => {
    const adaptersRule = rules.find((rule) => rule.name === 'adapters-only-from-composition-root')!;
    expect(matches(adaptersRule.to.path, 'engine/queue/redis/redis-job-queue.ts')).toBe(true);
  });
});
